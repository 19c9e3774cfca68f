namespace XNovu.NovuClient;

/// <summary>
/// Novu's REST API, named after the official SDK. Every answer, including a network failure, comes
/// back as a <see cref="NovuOutcome"/>; only the caller's cancellation throws. Nothing is retried here.
/// </summary>
public interface INovuClient
{
    INovuSubscribers Subscribers { get; }

    INovuWorkflows Workflows { get; }

    INovuPreferences Preferences { get; }

    INovuMessages Messages { get; }

    /// <summary>
    /// <c>POST /v1/events/trigger</c>. The Idempotency-Key defaults to the request's transactionId, so
    /// a retry of the same delivery is recognised by Novu.
    /// </summary>
    Task<NovuOutcome> TriggerAsync(TriggerRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>POST /v1/events/trigger/bulk</c> in chunks of at most 100 events: one outcome per event, in order.
    /// </summary>
    Task<IReadOnlyList<NovuOutcome>> TriggerBulkAsync(IReadOnlyList<TriggerRequest> events, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /v1/events/trigger/{transactionId}</c>; the value is Novu's boolean answer.</summary>
    Task<NovuOutcome<bool>> CancelAsync(string transactionId, CancellationToken cancellationToken = default);
}

public interface INovuSubscribers
{
    /// <summary><c>POST /v2/subscribers</c>: creates or updates.</summary>
    Task<NovuOutcome<NovuSubscriberResponse>> CreateAsync(NovuSubscriber subscriber, CancellationToken cancellationToken = default);

    /// <summary><c>GET /v2/subscribers/{subscriberId}</c>; a missing subscriber is a terminal 404.</summary>
    Task<NovuOutcome<NovuSubscriberResponse>> GetAsync(string subscriberId, CancellationToken cancellationToken = default);

    /// <summary><c>PATCH /v2/subscribers/{subscriberId}</c>.</summary>
    Task<NovuOutcome<NovuSubscriberResponse>> UpdateAsync(string subscriberId, NovuSubscriberPatch patch, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /v2/subscribers/{subscriberId}</c>; a missing subscriber is a terminal 404.</summary>
    Task<NovuOutcome<bool>> DeleteAsync(string subscriberId, CancellationToken cancellationToken = default);
}
