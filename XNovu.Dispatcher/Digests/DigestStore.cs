using System.Text.Json;
using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Dispatcher.Digests;

/// <summary>One delivery's place in a digest step (<c>notify.digest_step</c>).</summary>
public sealed record DigestItem(long DeliveryId, string WorkflowKey, string SubscriberId, string KeyValue, DateTimeOffset FlushAt, double LookBackSeconds, int MaxEvents);

/// <summary>What a digest step decided for one delivery: wait, flush (send the digest), send (look-back), digested.</summary>
public sealed record DigestDecision(long DeliveryId, string Action, long BucketId, DateTimeOffset FlushAt, int EventCount, string? Events)
{
    public const string Wait = "wait";
    public const string Flush = "flush";
    public const string SendNow = "send";
    public const string Digested = "digested";

    /// <summary>The delivery that was to send the digest holding this event ended without sending it.</summary>
    public const string SenderFailed = "digest-failed";

    /// <summary>What templates see as <c>digest</c>: <c>{"events":[{"id","time","payload"}],"eventCount":n}</c>.</summary>
    public JsonElement Variables()
    {
        using var events = JsonDocument.Parse(Events ?? "[]");
        return Core.Digests.DigestVariables.From(events.RootElement, EventCount);
    }
}

/// <summary>
/// Runs <c>notify.digest_step</c> for one enterprise's digest deliveries of a claimed batch: one round trip, its
/// enterprise scope and the function's per-key advisory locks held in the one implicit transaction of the batch.
/// </summary>
public sealed class DigestStore(XNovuDatabase database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyDictionary<long, DigestDecision>> StepAsync(Guid enterpriseId, IReadOnlyList<DigestItem> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return new Dictionary<long, DigestDecision>();
        }

        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        using var reader = await connection.QueryMultipleAsync(new CommandDefinition(
            """
            SELECT set_config('app.current_enterprise_id', @enterpriseIdText, true);
            SELECT delivery_id AS DeliveryId, action AS Action, bucket_id AS BucketId, flush_at AS FlushAt, event_count AS EventCount,
                   events::text AS Events
            FROM notify.digest_step(@items::jsonb);
            """,
            new { enterpriseIdText = enterpriseId.ToString(), items = JsonSerializer.Serialize(items, Json) },
            cancellationToken: cancellationToken));
        await reader.ReadAsync<string>();
        var rows = await reader.ReadAsync<(long DeliveryId, string Action, long BucketId, DateTime FlushAt, int EventCount, string? Events)>();
        return rows.ToDictionary(
            r => r.DeliveryId,
            r => new DigestDecision(r.DeliveryId, r.Action, r.BucketId, new DateTimeOffset(DateTime.SpecifyKind(r.FlushAt, DateTimeKind.Utc)), r.EventCount, r.Events));
    }
}
