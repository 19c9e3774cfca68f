using System.Text.Json;
using Dapper;
using XNovu.Dispatcher.Dispatch;
using Npgsql;

namespace XNovu.Dispatcher.Webhooks;

/// <summary>A claimed outbox message with what it takes to send it: the endpoint's URL and secrets (ciphertext).</summary>
public sealed record ClaimedWebhook(
    long MessageId, Guid EnterpriseId, Guid EndpointId, string Url, string Secret, string? PreviousSecret,
    DateTime? PreviousSecretExpiresAt, bool AllowPrivate, string EventType, string Payload, int Attempts, DateTime CreatedAt);

/// <summary>One attempt's result, as <c>notify.complete_webhook_messages</c> reads it.</summary>
public sealed record WebhookResult(
    long Id, int Attempt, string Outcome, DateTimeOffset? RetryAt, int? HttpStatus, int DurationMs, string? Error, string? Response,
    DateTimeOffset AttemptedAt);

/// <summary>
/// The webhook sender's statements, each one round trip through a SECURITY DEFINER function: the claim (the
/// only read of the outbox across enterprises), the completion of a batch of attempts, and the receipts' purge.
/// On the dispatcher's own data source (<c>synchronous_commit = off</c>): a completion lost in a crash costs a
/// re-send under the same webhook-id, which receivers dedupe.
/// </summary>
public sealed class WebhookStore([FromKeyedServices(DeliveryStore.DataSourceKey)] NpgsqlDataSource dataSource)
{
    public const int ReceiptBatch = 5000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Claims due messages; <paramref name="busy"/> holds this replica's endpoints with attempts in flight and the
    /// slots each has left, so that no endpoint gets more than it can start at once.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedWebhook>> ClaimAsync(
        string worker, int batch, int perEndpoint, int leaseSeconds, IReadOnlyCollection<KeyValuePair<Guid, int>> busy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ClaimedWebhook>(new CommandDefinition(
            """
            SELECT message_id AS MessageId, enterprise_id AS EnterpriseId, endpoint_id AS EndpointId, url AS Url, secret AS Secret,
                   previous_secret AS PreviousSecret, previous_secret_expires_at AS PreviousSecretExpiresAt,
                   allow_private AS AllowPrivate, event_type AS EventType, payload AS Payload, attempts AS Attempts, created_at AS CreatedAt
            FROM notify.claim_webhook_messages(@worker, @batch, @perEndpoint, @leaseSeconds, @busyEndpoints, @busyFree)
            """,
            new { worker, batch, perEndpoint, leaseSeconds, busyEndpoints = busy.Select(b => b.Key).ToArray(), busyFree = busy.Select(b => b.Value).ToArray() }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task CompleteAsync(string worker, IReadOnlyList<WebhookResult> results, TimeSpan disableAfter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT notify.complete_webhook_messages(@worker, @results::jsonb, @disableAfter)",
            new { worker, results = JsonSerializer.Serialize(results, Json), disableAfter = (int)Math.Ceiling(disableAfter.TotalSeconds) },
            cancellationToken: cancellationToken));
    }

    public async Task<int> PurgeReceiptsAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT notify.purge_novu_webhook_receipts(@seconds, @batch)", new { seconds = olderThan.TotalSeconds, batch = ReceiptBatch }, cancellationToken: cancellationToken));
    }
}
