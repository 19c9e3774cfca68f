using System.Text.Json;
using Dapper;
using Npgsql;
using XNovu.Core.Persistence;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>A delivery as claimed: the recipient and what its notification carries.</summary>
/// <remarks>A class with setters rather than a positional record: Dapper maps array columns only onto properties.</remarks>
public sealed class ClaimedDelivery
{
    public long DeliveryId { get; init; }
    public Guid EnterpriseId { get; init; }
    public long NotificationId { get; init; }
    public string? SubscriberId { get; init; }
    public string? Recipient { get; init; }
    public string TransactionId { get; init; } = string.Empty;
    public int Attempts { get; init; }
    public string WorkflowKey { get; init; } = string.Empty;
    public string Payload { get; init; } = "{}";
    public string? Overrides { get; init; }
    public string[]? Channels { get; init; }
    public string[]? Tags { get; init; }
    public string? TraceParent { get; init; }

    /// <summary>How the delivery was first rendered (issue 30, <c>DeliveryRendering</c> as JSON); null before its first render.</summary>
    public string? Rendering { get; init; }
}

/// <summary>One delivery's result, as <c>notify.complete_deliveries</c> reads it.</summary>
public sealed record DeliveryResult(long Id, string Outcome, DateTimeOffset? RetryAt, string? NovuStatus, DeliveryError? Error)
{
    /// <summary>How the delivery was rendered (issue 30); kept by the completion only when it has none yet.</summary>
    public XNovu.Core.Localization.DeliveryRendering? Rendering { get; init; }

    /// <summary>The channels a preference silenced on this delivery (<c>skipped_channels</c>), by wire name; null when none.</summary>
    public SkippedChannels? Skipped { get; init; }
}

/// <summary>A channel a preference silenced: the source that decided (<c>subscriber-workflow</c>...) and why.</summary>
public sealed record SkippedChannel(string Source, string Reason);

/// <summary>Skipped channels by wire name (<c>EMAIL</c>).</summary>
public sealed class SkippedChannels(StringComparer comparer) : Dictionary<string, SkippedChannel>(comparer);

/// <summary>What <c>error_details</c> holds for a failure: never anything for a success.</summary>
public sealed record DeliveryError(string Message, int? HttpStatus, string? NovuStatus, int Attempts, DateTimeOffset LastAttemptAt);

/// <summary>
/// The dispatcher's statements, each one round trip through a SECURITY DEFINER function: the claim
/// (the only read across enterprises), the fenced completion of a whole batch, the next due time, and the replica's heartbeat.
/// </summary>
/// <remarks>
/// These statements run on their own data source with <c>synchronous_commit = off</c>: a claim or a completion
/// lost in a database crash costs only a re-claim and a re-send under the same transaction id and
/// Idempotency-Key, while waiting for a disk flush on every batch would halve dispatch throughput. The
/// notifications themselves are written by the API with full durability.
/// </remarks>
public sealed class DeliveryStore([FromKeyedServices(DeliveryStore.DataSourceKey)] NpgsqlDataSource dataSource)
{
    public const string DataSourceKey = "xnovu-app-dispatch";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The settings of the data source this store runs on (see the remarks): one definition, for the dispatcher's
    /// own data source and for one per shard (docs/scaling.md).
    /// </summary>
    public static void ConfigureDataSource(NpgsqlConnectionStringBuilder connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        connectionString.Options = "-c synchronous_commit=off";
        connectionString.ApplicationName = "xnovu-dispatch";
        XNovuDatabase.ApplyPoolSettings(connectionString);
    }

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(
        string worker, int batchSize, int leaseSeconds, int maxUnfinishedClaims, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The rendering (0073) is read through the row's JSON, not named: during a rolling upgrade this release also
        // claims on the schema before it (RollingUpgradeTests runs it on 0052's), whose claim answers none; a retry
        // there renders the live versions until the migration is done.
        var rows = await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(
            """
            SELECT c.delivery_id AS DeliveryId, c.enterprise_id AS EnterpriseId, c.notification_id AS NotificationId,
                   c.subscriber_id AS SubscriberId, c.recipient::text AS Recipient, c.transaction_id AS TransactionId,
                   c.attempts, c.workflow_key AS WorkflowKey, c.payload::text AS Payload, c.overrides::text AS Overrides,
                   c.channels::text[] AS Channels, c.tags, c.trace_parent AS TraceParent, to_jsonb(c) ->> 'rendering' AS Rendering
            FROM notify.claim_deliveries(@worker, @batchSize, @leaseSeconds, @maxUnfinishedClaims) AS c
            """,
            new { worker, batchSize, leaseSeconds, maxUnfinishedClaims },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<int> CompleteAsync(string worker, IReadOnlyList<DeliveryResult> results, CancellationToken cancellationToken)
    {
        if (results.Count == 0)
        {
            return 0;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT notify.complete_deliveries(@worker, @results::jsonb)",
            new { worker, results = JsonSerializer.Serialize(results, Json) },
            cancellationToken: cancellationToken));
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var next = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "SELECT notify.next_delivery_due()", cancellationToken: cancellationToken));
        return next is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)) : null;
    }

    /// <summary>Says this replica is live until <paramref name="timeToLive"/> from now, and how many claim loops it runs.</summary>
    public async Task HeartbeatAsync(string worker, TimeSpan timeToLive, int loopsConfigured, int loopsRunning, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT notify.dispatcher_heartbeat(@worker, @ttl, @loopsConfigured, @loopsRunning)",
            new { worker, ttl = (int)Math.Ceiling(timeToLive.TotalSeconds), loopsConfigured, loopsRunning },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Ends at once the leases this replica still holds (<c>notify.release_deliveries</c>): called when its claim loops
    /// have stopped, so the claims its drain could not finish are taken over now, not when their lease expires.
    /// </summary>
    public async Task<int> ReleaseAsync(string worker, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT notify.release_deliveries(@worker)", new { worker }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Raises the claim's floor (<c>notify.raise_delivery_floor</c>) to the lowest delivery that may still be open, at most
    /// once per <paramref name="every"/> across all replicas; null when another replica did it, or did it recently.
    /// </summary>
    public async Task<long?> RaiseFloorAsync(TimeSpan every, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT notify.raise_delivery_floor(@every)", new { every = (int)Math.Ceiling(every.TotalSeconds) }, cancellationToken: cancellationToken));
    }

    public async Task StoppedAsync(string worker, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT notify.dispatcher_stopped(@worker)", new { worker }, cancellationToken: cancellationToken));
    }
}
