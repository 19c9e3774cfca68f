using System.Text.Json;
using System.Text.Json.Serialization;
using XNovu.Api.Workflows;
using XNovu.Core.Json;

namespace XNovu.Api.Notifications;

/// <summary>A notification in a list: its state, not its content.</summary>
public sealed record NotificationSummary(
    long Id,
    [property: JsonPropertyName("workflowId")] string WorkflowKey,
    string Status,
    string? TransactionId,
    int RecipientCount,
    string[]? Tags,
    DateTime? ScheduledFor,
    DateTime? ProcessedAt,
    DateTime? RetractedAt,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>A page, newest first; <c>nextCursor</c> is null on the last page.</summary>
public sealed record NotificationPage(IReadOnlyList<NotificationSummary> Items, string? NextCursor);

public sealed record NotificationDetail(
    long Id,
    [property: JsonPropertyName("workflowId")] string WorkflowKey,
    string Status,
    JsonElement? Payload,
    JsonElement? Recipients,
    JsonElement? Overrides,
    string[]? Tags,
    string? TransactionId,
    string? CategoryCode,
    string? PriorityCode,
    DateTime? ScheduledFor,
    DateTime? ProcessedAt,
    DateTime? RetractedAt,
    string? RetractionReason,
    JsonElement? ErrorDetails,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    IReadOnlyList<DeliveryResponse> Deliveries);

/// <summary>
/// One recipient's delivery; its transaction id is the one Novu knows it by, and <c>novuSubscriberId</c> the
/// subscriber id Novu holds for this enterprise's recipient.
/// </summary>
public sealed record DeliveryResponse(
    long Id,
    int Ordinal,
    string? SubscriberId,
    string? NovuSubscriberId,
    string Status,
    int Attempts,
    string TransactionId,
    string? NovuStatus,
    JsonElement? LastError,
    DateTime? SentAt,
    DateTime NextAttemptAt,
    DateTime UpdatedAt)
{
    /// <summary>
    /// The channels a subscriber preference silenced on this delivery, by channel: the source that decided
    /// (<c>subscriber-workflow</c>, <c>enterprise-category</c>...) and why. A delivery all of whose channels were
    /// silenced is SKIPPED, neither sent nor failed.
    /// </summary>
    public JsonElement? SkippedChannels { get; init; }
}

public sealed record CancelRequest(string? Reason);

/// <summary>What Novu said to the cancellation of a delivery it had already been handed.</summary>
public sealed record NovuCancellation(string TransactionId, bool Cancelled, string? Error);

public sealed record CancelResponse(
    long NotificationId,
    string Status,
    DateTime RetractedAt,
    string? Reason,
    int RetractedDeliveries,
    IReadOnlyList<NovuCancellation> NovuCancellations);

public sealed record RetryResponse(long NotificationId, string Status, int RetriedDeliveries);

public sealed record RetryFailedRequest(int? Limit);

public sealed record RetryFailedResponse(int Retried, int RetriedDeliveries);

/// <remarks>Dapper reads a text[] as <see cref="Array"/>, which no record takes, so tags come as JSON.</remarks>
internal sealed record NotificationSummaryRow(
    long Id,
    string WorkflowKey,
    string Status,
    string? TransactionId,
    int RecipientCount,
    string? Tags,
    DateTime? ScheduledFor,
    DateTime? ProcessedAt,
    DateTime? RetractedAt,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public const string Columns =
        """
        n.id, n.workflow_key AS WorkflowKey, n.notification_status::text AS Status, n.transaction_id AS TransactionId,
        CASE jsonb_typeof(n.recipients) WHEN 'array' THEN jsonb_array_length(n.recipients) ELSE 0 END AS RecipientCount,
        to_jsonb(n.tags)::text AS Tags, n.scheduled_for AS ScheduledFor, n.processed_at AS ProcessedAt,
        n.retracted_at AS RetractedAt, n.created_at AS CreatedAt, n.updated_at AS UpdatedAt
        """;

    public NotificationSummary ToSummary() => new(
        Id, WorkflowKey, Status, TransactionId, RecipientCount, NotificationRow.ReadTags(Tags), ScheduledFor, ProcessedAt,
        RetractedAt, CreatedAt, UpdatedAt);
}

internal sealed record NotificationRow(
    long Id,
    string WorkflowKey,
    string Status,
    string Payload,
    string Recipients,
    string? Overrides,
    string? Tags,
    string? TransactionId,
    string? CategoryCode,
    string? PriorityCode,
    DateTime? ScheduledFor,
    DateTime? ProcessedAt,
    DateTime? RetractedAt,
    string? RetractionReason,
    string? ErrorDetails,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public NotificationDetail ToDetail(IReadOnlyList<DeliveryResponse> deliveries) => new(
        Id, WorkflowKey, Status, Jsonb.FromColumn(Payload), Jsonb.FromColumn(Recipients), Jsonb.FromColumn(Overrides), ReadTags(Tags),
        TransactionId, CategoryCode, PriorityCode, ScheduledFor, ProcessedAt, RetractedAt, RetractionReason,
        Jsonb.FromColumn(ErrorDetails), CreatedAt, UpdatedAt, deliveries);

    public static string[]? ReadTags(string? json) => json is null ? null : JsonSerializer.Deserialize<string[]>(json);
}

internal sealed record DeliveryRow(
    long Id,
    Guid EnterpriseId,
    int Ordinal,
    string? SubscriberId,
    string Status,
    int Attempts,
    string TransactionId,
    string? NovuStatus,
    string? LastError,
    DateTime? SentAt,
    DateTime NextAttemptAt,
    DateTime UpdatedAt,
    string? SkippedChannels)
{
    public DeliveryResponse ToResponse() => new(
        Id, Ordinal, SubscriberId, SubscriberId is null ? null : XNovu.Core.Novu.NovuNames.SubscriberId(EnterpriseId, SubscriberId), Status, Attempts, TransactionId, NovuStatus, Jsonb.FromColumn(LastError), SentAt, NextAttemptAt, UpdatedAt)
    {
        SkippedChannels = Jsonb.FromColumn(SkippedChannels),
    };
}
