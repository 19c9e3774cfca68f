using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using XNovu.Testing;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.TriggerApi;

namespace XNovu.Tests.Triggers;

/// <summary>
/// Tenants share the coalesced commit, never its fate (issue 26): each enterprise's triggers in a batch are one
/// group under a savepoint, no statement waits on a lock longer than XNovu:Triggers:Commit:LockTimeout, and a
/// group that fails in any way goes alone while the other groups commit. Enterprise A is the hostile one.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class CommitIsolationTests(XNovuAppFixture fixture)
{
    private const int PerEnterprise = 20;

    [Fact]
    public async Task Two_enterprises_in_one_commit_each_get_their_own_rows_and_their_own_keys()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        var shared = false;
        for (var round = 0; round < 3 && !shared; round++)
        {
            // The same Idempotency-Key by both enterprises: a key is its enterprise's, never the other's.
            var keys = Enumerable.Range(0, PerEnterprise).Select(i => $"shared-key-{round}-{i}-{Guid.NewGuid():N}").ToList();
            var calls = keys.SelectMany(key => new[]
            {
                (Enterprise: a, Task: a.Client.AcceptedAsync(Later(), key), Key: key),
                (Enterprise: b, Task: b.Client.AcceptedAsync(Later(), key), Key: key),
            }).ToList();
            var answers = await Task.WhenAll(calls.Select(c => c.Task));

            var ids = answers.Select(a => a.Id()).ToArray();
            var rows = (await connection.QueryAsync<(long Id, Guid EnterpriseId, DateTime CreatedAt)>(
                "SELECT id, enterprise_id, created_at FROM notify.ent_notification WHERE id = ANY(@ids)", new { ids }))
                .ToDictionary(r => r.Id);
            var stored = (await connection.QueryAsync<(Guid EnterpriseId, string Key, string Response)>(
                "SELECT enterprise_id, key, response::text FROM notify.idempotency_key WHERE key = ANY(@keys)", new { keys = keys.ToArray() }))
                .ToDictionary(k => (k.EnterpriseId, k.Key));
            foreach (var ((enterprise, _, key), answer) in calls.Zip(answers))
            {
                var id = answer.Id();
                Assert.Equal(enterprise.Id, rows[id].EnterpriseId);
                Assert.Equal(enterprise.Id, (Guid)answer["enterpriseId"]!);
                // Each enterprise owns its key, and the answer stored under it is its own notification.
                Assert.Equal(id, (long)JsonNode.Parse(stored[(enterprise.Id, key)].Response)!["notificationId"]!);
            }

            // now() is the transaction's start, so rows of A and B with the same created_at were written by one
            // transaction (each group under its own savepoint, hence their different xmin): a shared commit.
            shared = rows.Values.GroupBy(r => r.CreatedAt).Any(g => g.Select(r => r.EnterpriseId).Distinct().Count() == 2);
        }

        Assert.True(shared, "A and B never shared a commit");
    }

    [Fact]
    public async Task A_lock_held_on_one_enterprises_subscriber_delays_no_other_enterprise_and_loses_nothing()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        var hot = Subscriber();
        var hotRecipient = new { subscriberId = hot, email = "hot@example.com" };
        await a.Client.AcceptedAsync(Later(to: hotRecipient));

        // A slow erase, a bulk upsert or an operator's open transaction holding A's subscriber row.
        await using var holder = await fixture.OpenOwnerConnectionAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync(
            "SELECT 1 FROM notify.subscriber WHERE enterprise_id = @enterpriseId AND subscriber_id = @hot FOR UPDATE",
            new { enterpriseId = a.Id, hot }, hold);

        var held = Stopwatch.StartNew();
        var hostile = new List<Task<HttpResponseMessage>>();
        var latencies = new List<TimeSpan>();
        var bAnswers = new List<HttpStatusCode>();
        while (held.Elapsed < TimeSpan.FromSeconds(4))
        {
            // A keeps triggering to its locked subscriber, so its triggers keep entering shared commits.
            hostile.Add(a.Client.PostTriggerAsync(Later(to: hotRecipient)));
            var calls = Enumerable.Range(0, 4).Select(async _ =>
            {
                var watch = Stopwatch.StartNew();
                var answer = await b.Client.PostTriggerAsync(Later());
                return (answer.StatusCode, watch.Elapsed);
            }).ToList();
            foreach (var (status, elapsed) in await Task.WhenAll(calls))
            {
                bAnswers.Add(status);
                latencies.Add(elapsed);
            }

            await Task.Delay(100);
        }

        Assert.True(hostile.Any(t => !t.IsCompleted), "A's triggers to the locked subscriber did not wait for the lock");
        await hold.RollbackAsync();
        var aAnswers = await Task.WhenAll(hostile);

        Assert.All(bAnswers, s => Assert.Equal(HttpStatusCode.Accepted, s));
        var sorted = latencies.Order().ToList();
        // The lock is held 4 s: a B trigger that waited on it would take seconds, and every B trigger sharing a commit
        // with A would. A second is within reach of a busy two-core CI machine's pauses (runs measured 1,074 and
        // 1,119 ms, each one call), so the slowest is held to 2 s and the p95 to 750 ms. Not the p99: over the
        // 40-odd calls of 4 s, the p99 by nearest rank is the slowest call itself.
        var p95 = sorted[(int)Math.Ceiling(sorted.Count * 0.95) - 1];
        Assert.True(sorted.Count >= 20, $"only {sorted.Count} B triggers in 4 s");
        Assert.True(sorted[^1] < TimeSpan.FromSeconds(2), $"B's slowest trigger took {sorted[^1].TotalMilliseconds:F0} ms while A's row was locked");
        Assert.True(p95 < TimeSpan.FromMilliseconds(750), $"B's p95 was {p95.TotalMilliseconds:F0} ms over {sorted.Count} triggers");
        Assert.Equal(bAnswers.Count, await fixture.CountNotificationsAsync(b.Id));
        // A waited on its own lock, and lost nothing: every trigger of A is stored once the lock is gone.
        Assert.All(aAnswers, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Equal(hostile.Count + 1, await fixture.CountNotificationsAsync(a.Id));
        // The services' logs reach the test's files a moment after the answers: waited for, not read once.
        await Eventually.WaitForAsync(() => Task.FromResult<List<string>?>(FallbackLines(a.Id)), lines => lines!.Any(line => line.Contains("lock_timeout", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the fallback log line");
        Assert.Empty(FallbackLines(b.Id));
    }

    [Fact]
    public async Task An_idempotency_key_race_of_one_enterprise_sends_only_that_enterprises_triggers_alone()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        var pairs = new List<(Task<HttpResponseMessage> First, Task<HttpResponseMessage> Second)>();
        var bCalls = new List<Task<HttpResponseMessage>>();
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 8; i++)
            {
                // The same request twice with one key: the two may land in two batches, and the later finds the key taken.
                var body = Later();
                var key = $"race-{Guid.NewGuid():N}";
                pairs.Add((a.Client.PostTriggerAsync(body, key), a.Client.PostTriggerAsync(body, key)));
                bCalls.Add(b.Client.PostTriggerAsync(Later()));
            }

            await Task.Delay(50);
        }

        var bAnswers = await Task.WhenAll(bCalls);
        Assert.All(bAnswers, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        foreach (var (first, second) in pairs)
        {
            var (one, two) = (await first, await second);
            Assert.Equal(HttpStatusCode.Accepted, one.StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, two.StatusCode);
            // One notification per key, answered to both.
            Assert.Equal(
                JsonNode.Parse(await one.Content.ReadAsStringAsync())!.AsObject().Id(),
                JsonNode.Parse(await two.Content.ReadAsStringAsync())!.AsObject().Id());
        }

        Assert.Equal(pairs.Count, await fixture.CountNotificationsAsync(a.Id));
        Assert.Equal(bCalls.Count, await fixture.CountNotificationsAsync(b.Id));
        // A twin now waits for its original's answer instead of entering another batch (TriggerCommitQueue; unit
        // test A_twin_of_a_trigger_in_another_writers_batch...), so A's race rarely reaches a shared commit at all;
        // when it does, only A's triggers go alone.
        Assert.Empty(FallbackLines(b.Id));
    }

    [Fact]
    public async Task An_unexpected_failure_in_one_enterprises_group_fails_only_that_enterprise()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        var trigger = $"fail_{Guid.NewGuid():N}";
        await using var owner = await fixture.OpenOwnerConnectionAsync();
        // A failure no code path names, for A's rows only.
        await owner.ExecuteAsync(
            $"""
            CREATE FUNCTION notify.{trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'hostile data'; END $$;
            CREATE TRIGGER {trigger} BEFORE INSERT ON notify.ent_notification
                FOR EACH ROW WHEN (NEW.enterprise_id = '{a.Id}') EXECUTE FUNCTION notify.{trigger}();
            """);
        try
        {
            var aCalls = Enumerable.Range(0, PerEnterprise).Select(_ => a.Client.PostTriggerAsync(Later())).ToList();
            var bCalls = Enumerable.Range(0, PerEnterprise).Select(_ => b.Client.PostTriggerAsync(Later())).ToList();
            var aAnswers = await Task.WhenAll(aCalls);
            var bAnswers = await Task.WhenAll(bCalls);

            Assert.All(bAnswers, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
            Assert.Equal(PerEnterprise, await fixture.CountNotificationsAsync(b.Id));
            Assert.All(aAnswers, r => Assert.False(r.IsSuccessStatusCode));
            Assert.Equal(0, await fixture.CountNotificationsAsync(a.Id));
            // The services' logs reach the test's files a moment after the answers: waited for, not read once.
            await Eventually.WaitForAsync(() => Task.FromResult<List<string>?>(FallbackLines(a.Id)), lines => lines!.Any(line => line.Contains("database", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the fallback log line");
            Assert.Empty(FallbackLines(b.Id));
        }
        finally
        {
            // Dropping a trigger locks the parent and every day partition while the services run: a deadlock with
            // their statements (seen once in CI) is tried again, as an operator would.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await owner.ExecuteAsync($"DROP TRIGGER {trigger} ON notify.ent_notification; DROP FUNCTION notify.{trigger}();");
                    break;
                }
                catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DeadlockDetected && attempt < 10)
                {
                    await Task.Delay(100);
                }
            }
        }
    }

    /// <summary>The API's log lines that send coalesced triggers of <paramref name="enterpriseId"/> alone.</summary>
    private List<string> FallbackLines(Guid enterpriseId) =>
        Directory.GetFiles(fixture.LogPath, "api*.log")
            .SelectMany(ReadLines)
            .Where(line => line.Contains(enterpriseId.ToString(), StringComparison.Ordinal) && line.Contains(" alone: ", StringComparison.Ordinal))
            .ToList();

    private static IEnumerable<string> ReadLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n');
    }
}
