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
/// subscriber id Novu holds for this enterprise's recipient. <c>status</c> SENT means Novu accepted it;
/// <c>outcome</c> says how far it got after that, as Novu reported it (null: nothing reported yet; sent, failed
/// (a bounce or provider error), delivered, seen, read), and <c>timeline</c> every step with its time.
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
    DateTime UpdatedAt,
    string? Outcome = null,
    DateTime? OutcomeAt = null,
    IReadOnlyList<DeliveryStep>? Timeline = null)
{
    /// <summary>How it was first rendered (issue 30): <c>{"locale": "fr", "workflowVersion": 3, "templates": {"welcome-email": 2}}</c>.</summary>
    public JsonElement? Rendering { get; init; }

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
    string? Outcome,
    DateTime? OutcomeAt,
    string? Rendering,
    string? SkippedChannels)
{
    public DeliveryResponse ToResponse(IEnumerable<DeliveryEventRow>? events = null) => new(
        Id, Ordinal, SubscriberId, SubscriberId is null ? null : XNovu.Core.Novu.NovuNames.SubscriberId(EnterpriseId, SubscriberId), Status, Attempts, TransactionId, NovuStatus, Jsonb.FromColumn(LastError), SentAt, NextAttemptAt, UpdatedAt,
        Outcome, OutcomeAt, DeliveryStep.Timeline(SentAt, events ?? []))
    {
        Rendering = Jsonb.FromColumn(Rendering),
        SkippedChannels = Jsonb.FromColumn(SkippedChannels),
    };
}

/// <summary>
/// One step of a delivery's timeline: <c>accepted</c> (Novu took the trigger; XNovu's own record), then what Novu
/// reported: <c>sent</c>, <c>delivered</c>, <c>failed</c> with the provider's error, <c>seen</c>, <c>read</c>, ...
/// </summary>
/// <param name="Source"><c>xnovu</c>, <c>webhook</c> (Novu's signed webhook) or <c>poll</c> (read from Novu's API).</param>
public sealed record DeliveryStep(
    string Event, DateTime At, string Source, string? Channel = null, string? ProviderId = null, string? ErrorId = null, string? ErrorText = null)
{
    public const string Accepted = "accepted";

    /// <summary>The timeline in time order: acceptance first (when Novu accepted it), then each reported event.</summary>
    internal static IReadOnlyList<DeliveryStep> Timeline(DateTime? acceptedAt, IEnumerable<DeliveryEventRow> events)
    {
        var steps = new List<DeliveryStep>();
        if (acceptedAt is { } at)
        {
            steps.Add(new DeliveryStep(Accepted, at, "xnovu"));
        }

        steps.AddRange(events.OrderBy(e => e.OccurredAt).Select(e =>
            new DeliveryStep(e.Event, e.OccurredAt, e.Source, e.Channel, e.ProviderId, e.ErrorId, e.ErrorText)));
        return steps;
    }
}

internal sealed record DeliveryEventRow(
    long DeliveryId, string Event, DateTime OccurredAt, string? Channel, string? ProviderId, string? ErrorId, string? ErrorText, string Source);
