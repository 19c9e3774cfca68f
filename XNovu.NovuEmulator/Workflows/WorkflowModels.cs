using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using XNovu.NovuEmulator.Subscribers;

namespace XNovu.NovuEmulator.Workflows;

// The shapes of Novu's /v2/workflows answers, field for field as the official TypeScript SDK (@novu/api 3.x)
// validates them: a workflow carries `origin`, `severity`, `status`, `isTranslationEnabled` and `preferences`
// ({user, default}); each step carries `origin`, `workflowId`, `workflowDatabaseId`, `variables`, `controls`
// and `controlValues`. XNovu.Tests/Novu/NovuSdk runs that SDK against these answers.

/// <summary>A workflow step as Novu answers it: its controls are Liquid templates over payload and subscriber.</summary>
public sealed record StepDto
{
    [JsonPropertyName("_id")]
    public required string Id { get; init; }

    public required string StepId { get; init; }

    public required string Name { get; init; }

    public required string Slug { get; init; }

    public required string Type { get; init; }

    /// <summary>Workflows made through the API are Novu Cloud's, as are their steps.</summary>
    public string Origin { get; init; } = WorkflowDto.CloudOrigin;

    /// <summary>The workflow's identifier and database id, repeated on each step as Novu does.</summary>
    public required string WorkflowId { get; init; }

    public required string WorkflowDatabaseId { get; init; }

    public required StepControls Controls { get; init; }

    /// <summary>The same values, under the name the create and update bodies use.</summary>
    public JsonObject ControlValues => (JsonObject)Controls.Values.DeepClone();

    /// <summary>The JSON schema of what the step's templates may use: subscriber, payload, earlier steps.</summary>
    public required JsonObject Variables { get; init; }
}

public sealed record StepControls(JsonObject Values);

/// <summary>A workflow as <c>/v2/workflows</c> answers it.</summary>
public sealed record WorkflowDto
{
    public const string CloudOrigin = "novu-cloud";

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

    public string Origin { get; init; } = CloudOrigin;

    /// <summary><c>high</c>, <c>medium</c>, <c>low</c> or <c>none</c>.</summary>
    public string Severity { get; init; } = "none";

    public bool IsTranslationEnabled { get; init; }

    public bool? ValidatePayload { get; init; }

    public JsonNode? PayloadSchema { get; init; }

    /// <summary><c>{user, default}</c>: the dashboard's (or API's) choice, and the workflow's own defaults.</summary>
    public required WorkflowPreferencesDto Preferences { get; init; }

    public required IReadOnlyList<StepDto> Steps { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? LastTriggeredAt { get; init; }

    [JsonPropertyName("_environmentId")]
    public string EnvironmentId { get; init; } = SubscriberStore.EnvironmentId;

    /// <summary>Novu hides a workflow whose preferences are read-only (critical) from subscriber preferences.</summary>
    [JsonIgnore]
    public bool Critical => WorkflowPreferences.IsReadOnly(Preferences.User ?? Preferences.Default);

    /// <summary>The entry of <c>GET /v2/workflows</c>: fewer fields, and the step types in order.</summary>
    public WorkflowListItemDto ToListItem() => new()
    {
        Id = Id,
        WorkflowId = WorkflowId,
        Slug = Slug,
        Name = Name,
        Tags = Tags,
        Status = Status,
        Origin = Origin,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        LastTriggeredAt = LastTriggeredAt,
        IsTranslationEnabled = IsTranslationEnabled,
        StepTypeOverviews = Steps.Select(s => s.Type).Distinct(StringComparer.Ordinal).ToList(),
        Steps = Steps.Select(s => new StepListItemDto(s.Slug, s.Type)).ToList(),
    };
}

public sealed record WorkflowPreferencesDto(JsonObject? User, JsonObject Default);

public sealed record WorkflowListItemDto
{
    [JsonPropertyName("_id")]
    public required string Id { get; init; }

    public required string WorkflowId { get; init; }

    public required string Slug { get; init; }

    public required string Name { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public required string Status { get; init; }

    public required string Origin { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? LastTriggeredAt { get; init; }

    public bool IsTranslationEnabled { get; init; }

    public required IReadOnlyList<string> StepTypeOverviews { get; init; }

    public required IReadOnlyList<StepListItemDto> Steps { get; init; }
}

public sealed record StepListItemDto(string Slug, string Type);

/// <summary>What a create or update body asks for, once validated.</summary>
public sealed record WorkflowInput(
    string Name, string? Description, IReadOnlyList<string> Tags, bool Active, JsonNode? PayloadSchema, IReadOnlyList<StepInput> Steps)
{
    public string Severity { get; init; } = "none";

    public bool IsTranslationEnabled { get; init; }

    public bool? ValidatePayload { get; init; }

    /// <summary>The request's <c>preferences.user</c> (null: none, the workflow's defaults apply).</summary>
    public JsonObject? UserPreferences { get; init; }

    /// <summary>The request's <c>preferences.workflow</c>, merged over Novu's defaults.</summary>
    public JsonObject? WorkflowPreferences { get; init; }
}

public sealed record StepInput(string? StepId, string Name, string Type, JsonObject ControlValues);
