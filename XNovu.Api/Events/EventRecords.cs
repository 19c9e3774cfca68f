using System.Text.Json;
using System.Text.Json.Serialization;

namespace XNovu.Api.Events;

/// <summary>An event of the enterprise: every published EVENT rule listening to <see cref="Name"/> fires.</summary>
public sealed record EventRequest(string? Name, JsonElement? Payload);

/// <summary>One notification created by one rule; <c>workflowId</c> on the wire is the workflow key, as in the trigger API.</summary>
public sealed record EventNotification(
    long NotificationId, string TransactionId, long RuleId, [property: JsonPropertyName("workflowId")] string WorkflowKey);

public sealed record EventAccepted(string Name, IReadOnlyList<EventNotification> Notifications);

/// <summary>An EVENT rule listening to the event, with what its notification needs.</summary>
internal sealed class ListeningRule
{
    public long RuleId { get; init; }
    public string RulePayload { get; init; } = "{}";
    public long WorkflowId { get; init; }
    public string WorkflowKey { get; init; } = string.Empty;
    public int WorkflowVersion { get; init; }
    public long? CategoryId { get; init; }
}
