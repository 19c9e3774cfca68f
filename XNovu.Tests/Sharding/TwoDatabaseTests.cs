using System.Diagnostics;
using Npgsql;
using XNovu.Core.Sharding;
using XNovu.Testing.Sharding;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Sharding;

/// <summary>
/// Issue 32, deliverable 4: the trigger and claim paths with enterprises spread over two databases (two PostgreSQL
/// servers, each migrated by the real migrator), through the shard directory (docs/scaling.md, "Past one database").
/// The API's own trigger writer and the dispatcher's own claim run per shard (<see cref="ShardedPaths"/>).
/// </summary>
[Collection(PublishedServicesCollection.Name)]
public sealed class TwoDatabaseTests
{
    private const int TriggersEach = 20;
    private const int RecipientsEach = 2;

    private static readonly Guid A1 = Guid.Parse("00000000-0000-0000-0000-0000000032a1");
    private static readonly Guid A2 = Guid.Parse("00000000-0000-0000-0000-0000000032a2");
    private static readonly Guid B1 = Guid.Parse("00000000-0000-0000-0000-0000000032b1");
    private static readonly Guid Hostile = Guid.Parse("00000000-0000-0000-0000-0000000032bf");

    private static readonly ShardDirectory Directory = new(
        ["a", "b"], new Dictionary<Guid, string> { [A1] = "a", [A2] = "a", [B1] = "b", [Hostile] = "b" }, "a");

    [Fact]
    public async Task Each_enterprise_s_triggers_land_on_its_shard_and_each_shard_s_claims_take_only_its_deliveries()
    {
        await using var shards = await TwoShards.StartAsync();
        await using var paths = shards.Paths();
        await paths.CreateEnterprisesAsync([A1, A2, B1, Hostile], CancellationToken.None);

        // Every enterprise at once, so that each shard's writer coalesces two enterprises' triggers into its commits.
        await Task.WhenAll(new[] { A1, A2, B1, Hostile }.Select(e => TriggerManyAsync(paths, e, "land")));

        Assert.Equal(new Dictionary<Guid, long> { [A1] = TriggersEach, [A2] = TriggersEach }, await NotificationsByEnterpriseAsync(paths, "a"));
        Assert.Equal(new Dictionary<Guid, long> { [B1] = TriggersEach, [Hostile] = TriggersEach }, await NotificationsByEnterpriseAsync(paths, "b"));

        foreach (var (shard, enterprises) in new[] { ("a", new[] { A1, A2 }), ("b", new[] { B1, Hostile }) })
        {
            var claimed = await DrainAsync(paths, shard, $"dispatcher-{shard}");

            Assert.Equal(2 * TriggersEach * RecipientsEach, claimed.Count);
            Assert.All(claimed, enterprise => Assert.Contains(enterprise, enterprises));
            Assert.Equal(0L, await ScalarAsync(paths, shard, "SELECT count(*) FROM notify.ent_notification_delivery WHERE status <> 'SENT'"));
            Assert.Equal(2L * TriggersEach * RecipientsEach, await ScalarAsync(paths, shard, "SELECT count(*) FROM notify.ent_notification_delivery WHERE status = 'SENT'"));
        }
    }

    [Fact]
    public async Task A_lost_shard_fails_only_its_own_enterprises_while_the_other_shard_triggers_and_claims()
    {
        await using var shards = await TwoShards.StartAsync();
        await using var paths = shards.Paths();
        await paths.CreateEnterprisesAsync([A1, A2, B1, Hostile], CancellationToken.None);

        // The hostile enterprise floods its shard from before the loss to the end, eight callers at once.
        using var stop = new CancellationTokenSource();
        var (stored, failed) = (0, 0);
        var flood = Enumerable.Range(0, 8).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    await paths.TriggerAsync(Hostile, $"flood-{caller}-{i}", [.. Enumerable.Range(0, 10).Select(r => $"victim-{r}")], CancellationToken.None);
                    Interlocked.Increment(ref stored);
                }
                catch (NpgsqlException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToList();
        await Eventually.WaitForAsync(() => Task.FromResult<int?>(Volatile.Read(ref stored)), n => n >= 100, TimeSpan.FromSeconds(60), "the hostile flood to store 100 triggers");

        await shards.B.KillAsync();
        var storedAtLoss = Volatile.Read(ref stored);

        // Shard a's enterprises trigger, and are claimed and completed, as if nothing happened.
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(TriggerManyAsync(paths, A1, "isolated"), TriggerManyAsync(paths, A2, "isolated"));
        var claimed = await DrainAsync(paths, "a", "dispatcher-a");
        clock.Stop();

        // Shard b's enterprises, the hostile one and the innocent one alike, fail fast: a 503 at the API.
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => paths.TriggerAsync(B1, "during-loss", ["b1-subscriber"], CancellationToken.None));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => paths.ClaimAsync("b", "dispatcher-b", 100, CancellationToken.None));
        await stop.CancelAsync();
        await Task.WhenAll(flood);

        Assert.Equal(2 * TriggersEach * RecipientsEach, claimed.Count);
        Assert.All(claimed, enterprise => Assert.Contains(enterprise, new[] { A1, A2 }));
        Assert.Equal(new Dictionary<Guid, long> { [A1] = TriggersEach, [A2] = TriggersEach }, await NotificationsByEnterpriseAsync(paths, "a"));
        Assert.Equal(0L, await ScalarAsync(paths, "a", "SELECT count(*) FROM notify.ent_notification_delivery WHERE status <> 'SENT'"));
        Assert.True(failed > 0, "the hostile enterprise's triggers kept failing on its lost shard");
        Assert.True(stored - storedAtLoss <= 8, $"{stored - storedAtLoss} hostile triggers stored after the loss (at most those in flight)");
        // Generous on a shared two-core machine: the point is that nothing waited on the lost shard's timeouts.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"shard a took {clock.Elapsed.TotalSeconds:0.0} s while shard b was lost");
    }

    /// <summary><see cref="TriggersEach"/> triggers of <paramref name="enterprise"/>, each to <see cref="RecipientsEach"/> subscribers, four at a time.</summary>
    private static async Task TriggerManyAsync(ShardedPaths paths, Guid enterprise, string prefix)
    {
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, TriggersEach).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                await paths.TriggerAsync(enterprise, $"{prefix}-{i}", [.. Enumerable.Range(0, RecipientsEach).Select(r => $"{enterprise:N}-{r}")], CancellationToken.None);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>Claims and completes as sent until a claim comes back empty: the enterprise of each delivery claimed.</summary>
    private static async Task<List<Guid>> DrainAsync(ShardedPaths paths, string shard, string worker)
    {
        var enterprises = new List<Guid>();
        while (await paths.ClaimAsync(shard, worker, 25, CancellationToken.None) is { Count: > 0 } claimed)
        {
            enterprises.AddRange(claimed.Select(d => d.EnterpriseId));
            Assert.Equal(claimed.Count, await paths.CompleteSentAsync(shard, worker, claimed, CancellationToken.None));
        }

        return enterprises;
    }

    private static async Task<Dictionary<Guid, long>> NotificationsByEnterpriseAsync(ShardedPaths paths, string shard)
    {
        await using var connection = new NpgsqlConnection(paths.DatabaseOf(shard).Owner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT enterprise_id, count(*) FROM notify.ent_notification GROUP BY enterprise_id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<Guid, long>();
        while (await reader.ReadAsync())
        {
            counts[reader.GetGuid(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    private static async Task<long> ScalarAsync(ShardedPaths paths, string shard, string sql)
    {
        await using var connection = new NpgsqlConnection(paths.DatabaseOf(shard).Owner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Two PostgreSQL servers, shard a and shard b, each with its database made by the real migrator.</summary>
    private sealed class TwoShards(ShardServer a, ShardServer b, ShardDatabase databaseA, ShardDatabase databaseB) : IAsyncDisposable
    {
        public ShardServer B => b;

        public static async Task<TwoShards> StartAsync()
        {
            var servers = await Task.WhenAll(ShardServer.StartAsync("a", CancellationToken.None), ShardServer.StartAsync("b", CancellationToken.None));
            var databases = await Task.WhenAll(servers[0].MigrateAsync("a", "xnovu", CancellationToken.None), servers[1].MigrateAsync("b", "xnovu", CancellationToken.None));
            return new TwoShards(servers[0], servers[1], databases[0], databases[1]);
        }

        public ShardedPaths Paths() => new(Directory, new Dictionary<string, ShardDatabase> { ["a"] = databaseA, ["b"] = databaseB });

        public async ValueTask DisposeAsync()
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }
}
