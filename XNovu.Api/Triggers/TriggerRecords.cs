using System.Text.Json;
using System.Text.Json.Serialization;

namespace XNovu.Api.Triggers;

/// <summary>
/// One trigger. <c>to</c> is a subscriber id, a subscriber object
/// <c>{subscriberId, email, phone, firstName, lastName, locale, data}</c> or an array of either;
/// <c>subscriberId</c> is the original's single-recipient field. <c>enterpriseId</c>, when given, must be
/// the key's enterprise.
/// </summary>
/// <remarks>The body's <c>workflowId</c> is the workflow key (see the glossary in docs/architecture.md).</remarks>
public sealed record TriggerRequest(
    [property: JsonPropertyName("workflowId")] string? WorkflowKey,
    JsonElement? To,
    string? SubscriberId,
    JsonElement? Payload,
    JsonElement? Overrides,
    string? TransactionId,
    DateTimeOffset? ScheduledFor,
    IReadOnlyList<string>? Tags,
    string? CategoryCode,
    string? PriorityCode,
    Guid? EnterpriseId,
    long? NotificationId = null);

/// <summary>
/// The answer to an accepted trigger: stored, not yet sent (or, for a re-send, the notification's state).
/// <c>success</c>, <c>message</c>, <c>workflowId</c>, <c>enterpriseId</c>, <c>notificationId</c> and
/// <c>result</c> carry the names the original XNovu's answer had.
/// </summary>
/// <param name="Recipients">How many recipients the trigger reaches, its topics expanded.</param>
public sealed record TriggerAccepted(
    long NotificationId,
    string TransactionId,
    string Status,
    [property: JsonPropertyName("workflowId")] string WorkflowKey,
    Guid EnterpriseId,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Recipients = null)
{
    public bool Success => true;

    /// <summary>The original answered Novu's trigger result here; ours is XNovu's acceptance, since Novu is called later.</summary>
    public TriggerResult Result => new(Acknowledged: true, Status, TransactionId);
}

public sealed record TriggerResult(bool Acknowledged, string Status, string TransactionId);

public sealed record BulkTriggerRequest(IReadOnlyList<JsonElement>? Events);

/// <summary>One event's outcome, at its index in the request: 202 with ids, or a 4xx with a problem.</summary>
public sealed record BulkTriggerResult(
    int Index,
    int Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? NotificationId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TransactionId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), JsonPropertyName("workflowId")] string? WorkflowKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] HttpValidationProblemDetails? Error = null);

public sealed record BulkTriggerResponse(int Accepted, int Rejected, IReadOnlyList<BulkTriggerResult> Results);
