using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace XNovu.NovuClient;

/// <summary>
/// The body of <c>POST /v2/workflows</c> and <c>PUT /v2/workflows/{workflowId}</c>. <see cref="WorkflowId"/> is
/// the trigger identifier: a slug of letters, digits, <c>-</c>, <c>.</c> and <c>_</c>, unique in the Novu
/// environment and immutable once created.
/// </summary>
public sealed record NovuWorkflowRequest
{
    public required string WorkflowId { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public bool Active { get; init; } = true;

    public required IReadOnlyList<NovuStepRequest> Steps { get; init; }

    /// <summary>
    /// Novu's <c>preferences</c> (<c>{user, workflow}</c>); an update must carry it. <c>{"user":null}</c> leaves the
    /// workflow on Novu's defaults: XNovu decides each channel at dispatch, and a channel it silences is not in
    /// the event, so Novu's step for it skips.
    /// </summary>
    public JsonObject Preferences { get; init; } = new() { ["user"] = null };
}

/// <summary>One step: <c>type</c> is <c>in_app</c>, <c>email</c>, <c>sms</c>, <c>push</c> or <c>chat</c> for a channel.</summary>
public sealed record NovuStepRequest
{
    public string? StepId { get; init; }

    public required string Name { get; init; }

    public required string Type { get; init; }

    /// <summary>Liquid templates over <c>payload</c> and <c>subscriber</c>, and <c>skip</c>, a JSON-logic condition.</summary>
    public required JsonObject ControlValues { get; init; }
}

/// <summary>A workflow as Novu answers it.</summary>
public sealed record NovuWorkflowResponse
{
    [JsonPropertyName("_id")]
    public string? Id { get; init; }

    public string WorkflowId { get; init; } = string.Empty;

    public string? Name { get; init; }

    public bool Active { get; init; }

    /// <summary><c>ACTIVE</c>, <c>INACTIVE</c> or <c>ERROR</c>.</summary>
    public string? Status { get; init; }

    public IReadOnlyList<NovuStepResponse> Steps { get; init; } = [];

    public DateTimeOffset? UpdatedAt { get; init; }
}

public sealed record NovuStepResponse
{
    public string StepId { get; init; } = string.Empty;

    public string? Name { get; init; }

    public string Type { get; init; } = string.Empty;

    public NovuStepControls? Controls { get; init; }
}

public sealed record NovuStepControls
{
    public JsonObject? Values { get; init; }
}
