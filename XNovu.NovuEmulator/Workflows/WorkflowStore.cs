using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using XNovu.NovuEmulator.Subscribers;

namespace XNovu.NovuEmulator.Workflows;

/// <summary>A workflow step as Novu answers it: its controls are Liquid templates over payload and subscriber.</summary>
public sealed record StepDto
{
    [JsonPropertyName("_id")]
    public required string Id { get; init; }

    public required string StepId { get; init; }

    public required string Name { get; init; }

    public required string Slug { get; init; }

    public required string Type { get; init; }

    public required StepControls Controls { get; init; }

    /// <summary>The same values, under the name the create and update bodies use.</summary>
    public JsonObject ControlValues => (JsonObject)Controls.Values.DeepClone();
}

public sealed record StepControls(JsonObject Values);

/// <summary>A workflow as <c>/v2/workflows</c> answers it.</summary>
public sealed record WorkflowDto
{
    [JsonPropertyName("_id")]
    public required string Id { get; init; }

    public required string WorkflowId { get; init; }

    public required string Slug { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public required bool Active { get; init; }

    /// <summary>ACTIVE or INACTIVE, as Novu derives it from <see cref="Active"/>.</summary>
    public string Status => Active ? "ACTIVE" : "INACTIVE";

    public string Origin { get; init; } = "external";

    public string Severity { get; init; } = "none";

    public JsonNode? PayloadSchema { get; init; }

    public required IReadOnlyList<StepDto> Steps { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? LastTriggeredAt { get; init; }

    [JsonPropertyName("_environmentId")]
    public string EnvironmentId { get; init; } = SubscriberStore.EnvironmentId;
}

/// <summary>What a create or update body asks for, once validated.</summary>
public sealed record WorkflowInput(
    string Name, string? Description, IReadOnlyList<string> Tags, bool Active, JsonNode? PayloadSchema, IReadOnlyList<StepInput> Steps);

public sealed record StepInput(string? StepId, string Name, string Type, JsonObject ControlValues);

/// <summary>One Novu environment's workflows, by their identifier (<c>workflowId</c>, immutable).</summary>
public sealed class WorkflowStore(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkflowDto> _workflows = new(StringComparer.Ordinal);

    public WorkflowDto? Get(string workflowId)
    {
        lock (_gate)
        {
            return _workflows.GetValueOrDefault(workflowId)
                ?? _workflows.Values.FirstOrDefault(w => w.Id == workflowId);
        }
    }

    public IReadOnlyList<WorkflowDto> List()
    {
        lock (_gate)
        {
            return _workflows.Values.OrderBy(w => w.CreatedAt).ThenBy(w => w.WorkflowId, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Null when the identifier is taken.</summary>
    public WorkflowDto? Create(string workflowId, WorkflowInput input)
    {
        lock (_gate)
        {
            if (_workflows.ContainsKey(workflowId))
            {
                return null;
            }

            var now = time.GetUtcNow();
            var created = Build(NewId(), workflowId, input, now, now, previous: null);
            _workflows[workflowId] = created;
            return created;
        }
    }

    public WorkflowDto? Update(string workflowId, WorkflowInput input)
    {
        lock (_gate)
        {
            if (Get(workflowId) is not { } current)
            {
                return null;
            }

            var updated = Build(current.Id, current.WorkflowId, input, current.CreatedAt, time.GetUtcNow(), current) with
            {
                LastTriggeredAt = current.LastTriggeredAt,
            };
            _workflows[current.WorkflowId] = updated;
            return updated;
        }
    }

    public bool Delete(string workflowId)
    {
        lock (_gate)
        {
            return Get(workflowId) is { } current && _workflows.Remove(current.WorkflowId);
        }
    }

    public void Touch(string workflowId)
    {
        lock (_gate)
        {
            if (_workflows.TryGetValue(workflowId, out var current))
            {
                _workflows[workflowId] = current with { LastTriggeredAt = time.GetUtcNow() };
            }
        }
    }

    private static WorkflowDto Build(string id, string workflowId, WorkflowInput input, DateTimeOffset createdAt, DateTimeOffset updatedAt, WorkflowDto? previous)
    {
        var steps = new List<StepDto>();
        foreach (var step in input.Steps)
        {
            var stepId = step.StepId ?? WorkflowValidation.Slugify(step.Name);
            // A step keeps its database id across updates, as Novu matches steps by stepId.
            var stepDatabaseId = previous?.Steps.FirstOrDefault(s => s.StepId == stepId)?.Id ?? NewId();
            steps.Add(new StepDto
            {
                Id = stepDatabaseId,
                StepId = stepId,
                Name = step.Name,
                Slug = $"{stepId}_{stepDatabaseId[..8]}",
                Type = step.Type,
                Controls = new StepControls((JsonObject)step.ControlValues.DeepClone()),
            });
        }

        return new WorkflowDto
        {
            Id = id,
            WorkflowId = workflowId,
            Slug = $"{workflowId}_{id[..8]}",
            Name = input.Name,
            Description = input.Description,
            Tags = input.Tags,
            Active = input.Active,
            PayloadSchema = input.PayloadSchema?.DeepClone(),
            Steps = steps,
            CreatedAt = createdAt,
            UpdatedAt = updatedAt,
        };
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
