using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Npgsql;
using XNovu.Core.Novu;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Reliability;

/// <summary>
/// An app of its own: these tests stop its Redis, its dispatchers and its PostgreSQL, and kill PostgreSQL backends.
/// Each test starts again what it stopped.
/// </summary>
public sealed class OutageAppFixture : XNovuAppFixture
{
    /// <summary>
    /// A stopping dispatcher's drain: shorter than Novu's answer in the release test (9 s) and than the client's
    /// timeout (10 s), longer than the answer in the drain test (3 s).
    /// </summary>
    public static readonly TimeSpan ShutdownDrain = TimeSpan.FromSeconds(6);

    protected override IEnumerable<string> ExtraSettings => [$"XNovu:Dispatcher:ShutdownDrain={ShutdownDrain}"];

    /// <summary>The running replicas of a resource, by resource id, with their process ids.</summary>
    public async Task<Dictionary<string, int>> ReplicasAsync(string resource, int expected)
    {
        var found = new Dictionary<string, int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await foreach (var update in App.ResourceNotifications.WatchAsync(timeout.Token))
            {
                if (update.Resource.Name == resource
                    && update.Snapshot.State?.Text == KnownResourceStates.Running
                    && update.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid)
                {
                    found[update.ResourceId] = Convert.ToInt32(pid, CultureInfo.InvariantCulture);
                    if (found.Count == expected)
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // fewer replicas than expected: the caller asserts
        }

        return found;
    }

    public async Task<(HttpStatusCode Status, JsonObject Body)> HealthAsync()
    {
        using var client = CreateHttpClient("api");
        var answer = await client.GetAsync(new Uri("/api/health", UriKind.Relative));
        return (answer.StatusCode, (await answer.Content.ReadFromJsonAsync<JsonObject>())!);
    }
}

/// <summary>Run alone, after the parallel part of the suite: what these tests break must not be anyone else's.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OutageAppCollection : ICollectionFixture<OutageAppFixture>
{
    public const string Name = "XNovu app for outages";
}

[Collection(OutageAppCollection.Name)]
public sealed class OutageTests(OutageAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task With_redis_stopped_definitions_are_written_and_a_trigger_for_a_workflow_no_process_has_cached_is_delivered_while_health_says_degraded()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await enterprise.Client.PostTriggerAsync(TriggerApi.Trigger("default-sms", TriggerApi.Subscriber(), new { body = "warm-up" }));
        await fixture.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StopCommand);
        try
        {
            await Eventually.WaitForAsync(() => fixture.HealthAsync()!, h => (string?)h.Body["redis"]?["status"] != "healthy",
                TimeSpan.FromSeconds(30), "redis to be reported down");
            // The first call after Redis died finds out; the ones after it must not wait for Redis at all.
            await enterprise.Client.PostTriggerAsync(TriggerApi.Trigger("default-sms", TriggerApi.Subscriber(), new { body = "first" }));

            // Written while Redis is down, so no process can have it cached.
            var workflowKey = await enterprise.Client.WorkflowAsync(publish: true);
            var subscriber = TriggerApi.Subscriber();
            var started = Stopwatch.GetTimestamp();
            var answer = await enterprise.Client.PostTriggerAsync(TriggerApi.Trigger(workflowKey, subscriber, new { name = "Ann" }));
            var answeredIn = Stopwatch.GetElapsedTime(started);
            var accepted = await answer.ReadObjectAsync();
            var sent = await Harness.WaitForStatusAsync((long)accepted["notificationId"]!, "SENT");
            var health = await fixture.HealthAsync();

            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            Assert.True(answeredIn < TimeSpan.FromSeconds(1), $"the trigger was answered in {answeredIn.TotalMilliseconds:0} ms");
            Assert.Equal([1], sent.Attempts);
            Assert.Single(await Harness.EventsAsync(subscriberId: NovuNames.SubscriberId(enterprise.Id, subscriber)));
            Assert.Equal(HttpStatusCode.OK, health.Status);
            Assert.Equal("degraded", (string)health.Body["status"]!);
        }
        finally
        {
            await fixture.App.ResourceCommands.ExecuteCommandAsync("redis", KnownResourceCommands.StartCommand);
            await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync("redis");
        }
    }

    [Fact]
    public async Task With_every_dispatcher_stopped_health_is_unhealthy()
    {
        // Another test may have just restarted a replica, and a replica that has just started may not run all its
        // claim loops yet (degraded): start from two live ones running every loop.
        var before = await Eventually.WaitForAsync(() => fixture.HealthAsync()!,
            h => (int?)h.Body["dispatchers"]?["liveReplicas"] == 2 && (string?)h.Body["dispatchers"]?["status"] == "healthy",
            TimeSpan.FromSeconds(60), "both dispatchers to beat with every claim loop running");
        var replicas = await fixture.ReplicasAsync("dispatcher", 2);
        Assert.Equal(2, replicas.Count);
        // Killed rather than stopped through DCP, which refuses to stop a replica it has just restarted; a
        // killed process is what an outage looks like anyway, and Aspire does not restart it by itself.
        foreach (var pid in replicas.Values)
        {
            // The whole tree: the resource's process may be a launcher whose child is the service itself.
            Process.GetProcessById(pid).Kill(entireProcessTree: true);
        }

        try
        {
            var down = await Eventually.WaitForAsync(() => fixture.HealthAsync()!, h => h.Status == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(45), "health to say no dispatcher runs");

            Assert.Equal("unhealthy", (string)down.Body["status"]!);
            Assert.Equal("unhealthy", (string)down.Body["dispatchers"]!["status"]!);
            Assert.Equal(0, (int)down.Body["dispatchers"]!["liveReplicas"]!);
            Assert.Equal("healthy", (string)before.Body["dispatchers"]!["status"]!);
            Assert.Equal(2, (int)before.Body["dispatchers"]!["liveReplicas"]!);
        }
        finally
        {
            foreach (var resourceId in replicas.Keys)
            {
                await fixture.App.ResourceCommands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand);
            }

            await Eventually.WaitForAsync(() => fixture.HealthAsync()!, h => (int?)h.Body["dispatchers"]?["liveReplicas"] == 2,
                TimeSpan.FromSeconds(60), "both dispatchers to beat again");
        }
    }

    [Fact]
    public async Task Killing_a_postgres_backend_under_trigger_load_answers_only_202_or_503_and_loses_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var answers = new ConcurrentBag<(HttpStatusCode Status, bool RetryAfter, long? NotificationId)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var callers = Enumerable.Range(0, 4).Select(caller => Task.Run(async () =>
        {
            using var client = fixture.CreateHttpClient("api").WithBearer(enterprise.ApiKey);
            while (!stop.IsCancellationRequested)
            {
                var answer = await client.PostTriggerAsync(TriggerApi.Trigger("default-sms", TriggerApi.Subscriber(), new { body = "load" }));
                var id = answer.StatusCode == HttpStatusCode.Accepted ? (long?)(await answer.ReadObjectAsync())["notificationId"] : null;
                answers.Add((answer.StatusCode, answer.Headers.RetryAfter is not null, id));
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        var killed = await KillOneBackendAsync();
        await Task.WhenAll(callers);

        // This test's own pooled connections died with the crash too.
        NpgsqlConnection.ClearAllPools();
        var acknowledged = answers.Where(a => a.NotificationId is not null).Select(a => a.NotificationId!.Value).ToList();
        foreach (var id in acknowledged)
        {
            await Eventually.WaitForAsync(() => StateOrNullAsync(id), s => s?.Status == "SENT", TimeSpan.FromSeconds(60), $"notification {id} to be SENT");
        }

        Assert.True(killed > 0, "a backend of the services' role should have been found and killed");
        // Four callers in a loop can outrun the enterprise's trigger rate: a 429 with Retry-After is an answer too.
        Assert.All(answers, a => Assert.Contains(a.Status, new[] { HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests }));
        Assert.All(answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable), a => Assert.True(a.RetryAfter, "a 503 carries Retry-After"));
        Assert.NotEmpty(acknowledged);
    }

    [Fact]
    public async Task A_dispatcher_replica_killed_mid_batch_and_restarted_by_its_command_loses_nothing_and_sends_nothing_twice()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        // Slow Novu down so that batches are in flight when the replica dies.
        await Harness.AddFaultAsync(new { latencyMs = 300, durationSeconds = 4, paths = new[] { "/v1/events" } });
        var inserted = new List<(long Id, string TransactionId)>();
        for (var i = 0; i < 40; i++)
        {
            inserted.Add(await Harness.InsertNotificationAsync(enterprise.Id, "default-sms", $$"""{"body":"kill {{i}}"}""", $$"""["kill-{{i}}"]"""));
        }

        var (resourceId, pid) = (await fixture.ReplicasAsync("dispatcher", 2)).First();
        // The whole tree: the resource's process may be a launcher whose child is the service itself.
        Process.GetProcessById(pid).Kill(entireProcessTree: true);
        await Task.Delay(TimeSpan.FromSeconds(1));
        // The process is gone, so DCP's restart (a stop, then a start) refuses the stop; a start is the restart.
        var restarted = await fixture.App.ResourceCommands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand);
        Assert.True(restarted.Success, $"starting {resourceId} again: {restarted.Message}");

        foreach (var (id, _) in inserted)
        {
            await Eventually.WaitForAsync(() => Harness.StateAsync(id)!, s => s?.Status == "SENT", TimeSpan.FromSeconds(60), $"notification {id} to be SENT");
        }

        foreach (var (_, transactionId) in inserted)
        {
            // EventsAsync filters by prefix: xnovu-12 would also find xnovu-120.
            Assert.Single(await Harness.EventsAsync(transactionId), e => (string?)e!["transactionId"] == transactionId);
        }

        await Eventually.WaitForAsync(() => fixture.HealthAsync()!, h => (int?)h.Body["dispatchers"]?["liveReplicas"] >= 2,
            TimeSpan.FromSeconds(60), "the restarted replica to beat again");
    }

    [Fact]
    public async Task Dispatchers_told_to_stop_finish_the_batch_they_hold_before_they_exit()
    {
        // Novu answers 3 s late, so the batch is on its way when the dispatchers are told to stop.
        var (replicas, id, transactionId) = await ClaimedWhileNovuIsSlowAsync(latencyMs: 3000, faultSeconds: 20, "drain");

        await StopDispatchersAsync(replicas);
        try
        {
            // No dispatcher runs now: whatever is recorded was recorded by the ones that were stopped.
            var state = await Harness.StateAsync(id);
            Assert.Equal("SENT", state!.Status);
            Assert.Equal([1], state.Attempts);
            Assert.Single(await Harness.EventsAsync(transactionId), e => (string?)e!["transactionId"] == transactionId);
        }
        finally
        {
            await StartDispatchersAsync(replicas);
        }
    }

    [Fact]
    public async Task A_batch_the_drain_cannot_finish_is_released_at_stop_and_taken_over_before_its_lease_would_end()
    {
        // Novu answers after the drain ends (6 s) and before the client gives up (10 s): the batch is cut off.
        var (replicas, id, transactionId) = await ClaimedWhileNovuIsSlowAsync(latencyMs: 9000, faultSeconds: 8, "release");
        // The published lease (a minute), not the suite's 5 s: released, it ends at the stop; kept, a minute from now.
        await using (var owner = await fixture.OpenOwnerConnectionAsync())
        {
            await using var lengthen = new NpgsqlCommand(
                "UPDATE notify.ent_notification_delivery SET lease_expires_at = now() + interval '60 seconds' WHERE notification_id = @id AND status = 'PROCESSING'",
                owner);
            lengthen.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await lengthen.ExecuteNonQueryAsync());
        }

        await StopDispatchersAsync(replicas);
        try
        {
            var (status, leaseLeft) = await LeaseAsync(id);
            Assert.Equal("PROCESSING", status);
            Assert.True(leaseLeft <= TimeSpan.Zero, $"the lease still had {leaseLeft} to run after the dispatchers stopped");
        }
        finally
        {
            await StartDispatchersAsync(replicas);
        }

        // Taken over by a restarted replica at its first claim, well before the minute the lease had.
        var sent = await Harness.WaitForStatusAsync(id, "SENT", TimeSpan.FromSeconds(40));
        Assert.Equal([2], sent.Attempts);
        Assert.Single(await Harness.EventsAsync(transactionId), e => (string?)e!["transactionId"] == transactionId);
    }

    /// <summary>
    /// Both dispatchers beating, Novu answering <paramref name="latencyMs"/> late for <paramref name="faultSeconds"/>,
    /// and one new delivery claimed: its Novu call is on its way. A request the dispatcher abandons is never processed
    /// by the emulator (it stops waiting when the caller goes).
    /// </summary>
    private async Task<(Dictionary<string, int> Replicas, long Id, string TransactionId)> ClaimedWhileNovuIsSlowAsync(int latencyMs, int faultSeconds, string body)
    {
        await Eventually.WaitForAsync(() => fixture.HealthAsync()!, h => (int?)h.Body["dispatchers"]?["liveReplicas"] == 2,
            TimeSpan.FromSeconds(60), "both dispatchers to beat");
        var replicas = await fixture.ReplicasAsync("dispatcher", 2);
        Assert.Equal(2, replicas.Count);
        var enterprise = await fixture.CreateEnterpriseAsync();
        await Harness.AddFaultAsync(new { latencyMs, durationSeconds = faultSeconds, paths = new[] { "/v1/events" } });
        var (id, transactionId) = await Harness.InsertNotificationAsync(enterprise.Id, "default-sms", $$"""{"body":"{{body}}"}""", $$"""["{{body}}-1"]""");
        await Eventually.WaitForAsync(() => Harness.StateAsync(id)!, s => s?.DeliveryStatuses.SequenceEqual(["PROCESSING"]) == true,
            TimeSpan.FromSeconds(30), "the delivery to be claimed");
        return (replicas, id, transactionId);
    }

    /// <summary>SIGTERM, as a rolling deploy stops a pod, to every dispatcher service (not their `dotnet run` launchers); returns once all have exited.</summary>
    private static async Task StopDispatchersAsync(Dictionary<string, int> replicas)
    {
        var services = replicas.Values.SelectMany(pid => ServiceProcesses.Running("XNovu.Dispatcher", pid)).ToList();
        Assert.NotEmpty(services);
        foreach (var pid in services)
        {
            using var term = Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)])!;
            await term.WaitForExitAsync();
        }

        await Eventually.WaitForAsync(() => Task.FromResult(services.Count(pid => Directory.Exists($"/proc/{pid}"))), alive => alive == 0,
            TimeSpan.FromSeconds(40), "every dispatcher to exit");
    }

    private async Task StartDispatchersAsync(Dictionary<string, int> replicas)
    {
        foreach (var resourceId in replicas.Keys)
        {
            await fixture.App.ResourceCommands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand);
        }

        await Eventually.WaitForAsync(() => fixture.HealthAsync()!, h => (int?)h.Body["dispatchers"]?["liveReplicas"] == 2,
            TimeSpan.FromSeconds(60), "both dispatchers to beat again");
    }

    /// <summary>A notification's one delivery: its status and how long its lease has left (negative once ended).</summary>
    private async Task<(string Status, TimeSpan LeaseLeft)> LeaseAsync(long id)
    {
        await using var owner = await fixture.OpenOwnerConnectionAsync();
        await using var read = new NpgsqlCommand(
            "SELECT status::text, lease_expires_at - now() FROM notify.ent_notification_delivery WHERE notification_id = @id", owner);
        read.Parameters.AddWithValue("id", id);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetString(0), reader.GetTimeSpan(1));
    }

    private async Task<NotificationState?> StateOrNullAsync(long id)
    {
        try
        {
            return await Harness.StateAsync(id);
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL of one backend serving the services: the server crash-recovers and every session dies.</summary>
    private async Task<int> KillOneBackendAsync()
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        await using var find = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE usename IN ('xnovu_api', 'xnovu_dispatcher', 'xnovu_app') AND backend_type = 'client backend' ORDER BY backend_start LIMIT 1",
            connection);
        var pid = (int?)await find.ExecuteScalarAsync() ?? 0;
        if (pid > 0)
        {
            Process.GetProcessById(pid).Kill();
        }

        return pid;
    }
}
