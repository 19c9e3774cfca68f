using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace XNovu.NovuEmulator.Workflows;

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
                WorkflowId = workflowId,
                WorkflowDatabaseId = id,
                Controls = new StepControls((JsonObject)step.ControlValues.DeepClone()),
                Variables = StepVariables.Schema(input.PayloadSchema, steps),
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
            Severity = input.Severity,
            IsTranslationEnabled = input.IsTranslationEnabled,
            ValidatePayload = input.ValidatePayload,
            PayloadSchema = input.PayloadSchema?.DeepClone(),
            Preferences = new WorkflowPreferencesDto(
                (JsonObject?)input.UserPreferences?.DeepClone(),
                (JsonObject?)input.WorkflowPreferences?.DeepClone() ?? WorkflowPreferences.Default()),
            Steps = steps,
            CreatedAt = createdAt,
            UpdatedAt = updatedAt,
        };
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
