using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Npgsql;

namespace XNovu.Benchmarks.Scenarios;

/// <summary>One fault-injection scenario's figures. Lost: acknowledged but never received by Novu.</summary>
public sealed record ChaosResult(
    string Name, int Triggers, int Acknowledged, int ExactlyOnce, int Lost, int Duplicated, int Answered503, int Other5xx,
    double LongestAnswerMs, double? OthersP99Ms)
{
    public bool MeetsTarget => Lost == 0 && Duplicated == 0 && Other5xx == 0 && (OthersP99Ms is null || OthersP99Ms < 2000);
}

/// <summary>
/// The fault-injection suite (<c>dotnet run -c Release --project XNovu.Benchmarks -- chaos</c>): the real AppHost
/// with two dispatcher replicas, a steady trigger load from several callers of several enterprises, and one
/// fault per scenario, injected a few seconds into the load. Afterwards the queue is drained and every
/// acknowledged trigger is looked up at the emulator by its transaction id.
/// </summary>
public static class Chaos
{
    private static readonly TimeSpan FaultAt = TimeSpan.FromSeconds(3);

    public static IReadOnlyList<(string Name, string Title)> Scenarios { get; } =
    [
        ("dispatcher-kill", "SIGKILL of one dispatcher replica mid-batch, then its restart command"),
        ("postgres-backend-kill", "SIGKILL of a PostgreSQL backend (the server crash-recovers)"),
        ("redis-kill", "SIGKILL of Redis, down 30 s, then started again"),
        ("poison", "a poison notification among normal ones"),
        ("novu-503", "Novu (the emulator) answering 503 for 20 s"),
    ];

    public static async Task<ChaosResult> RunAsync(BenchmarkApp app, BenchmarkSettings settings, string scenario, CancellationToken cancellationToken)
    {
        await app.WaitForDrainAsync(null, settings.DrainTimeout, cancellationToken);
        await app.ResetEmulatorAsync(cancellationToken);
        var enterprises = new List<BenchEnterprise>();
        for (var i = 0; i < settings.ChaosEnterprises; i++)
        {
            enterprises.Add(await app.CreateEnterpriseAsync($"chaos-{scenario}-{i}", settings.ChaosCallersPerEnterprise * 2, cancellationToken));
        }

        var (load, fault) = scenario switch
        {
            "redis-kill" => (settings.ChaosRedisDown + TimeSpan.FromSeconds(10), (Func<Task>)(() => KillRedisAsync(app, settings.ChaosRedisDown, cancellationToken))),
            "novu-503" => (settings.ChaosNovuDown + TimeSpan.FromSeconds(5), () => NovuDownAsync(app, settings.ChaosNovuDown, cancellationToken)),
            "dispatcher-kill" => (settings.ChaosLoad, () => KillDispatcherAsync(app, cancellationToken)),
            "postgres-backend-kill" => (settings.ChaosLoad, () => KillPostgresBackendAsync(app, cancellationToken)),
            "poison" => (settings.ChaosLoad, () => InsertPoisonAsync(app, enterprises[0].Id, cancellationToken)),
            _ => throw new InvalidOperationException($"Unknown chaos scenario '{scenario}'."),
        };

        var run = Guid.NewGuid().ToString("N")[..6];
        var calls = new ConcurrentBag<Call>();
        var loadTask = Task.WhenAll(enterprises.SelectMany((enterprise, e) => Enumerable.Range(0, settings.ChaosCallersPerEnterprise).Select(c =>
            CallerAsync(enterprise, e, $"chaos-{run}-{e}-{c}-", load, settings.ChaosTriggersPerSecondPerCaller, calls, cancellationToken))));
        await Task.Delay(FaultAt, cancellationToken);
        await fault();
        await loadTask;

        if (!await app.WaitForDrainAsync(null, settings.DrainTimeout, cancellationToken))
        {
            Report.Line($"warning: deliveries still open after {settings.DrainTimeout.TotalSeconds:0} s");
        }

        var received = (await app.EventsAsync(cancellationToken))
            .GroupBy(e => e.TransactionId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var acknowledged = calls.Where(c => c.Status == HttpStatusCode.Accepted).ToList();
        int Count(Call c) => received.TryGetValue(c.TransactionId, out var events) ? events.Count : 0;

        // Other enterprises' latency, trigger to Novu, where the scenario asks for it: every enterprise but the
        // poisoned one (all of them during the Redis outage).
        double? othersP99 = scenario is "redis-kill" or "poison"
            ? Load.Percentile(acknowledged
                .Where(c => scenario != "poison" || c.Enterprise != 0)
                .Where(c => Count(c) > 0)
                .Select(c => (received[c.TransactionId].Min(e => e.ReceivedAt) - c.StartedAt).TotalMilliseconds)
                .Order()
                .ToList(), 99)
            : null;

        var result = new ChaosResult(
            scenario,
            calls.Count,
            acknowledged.Count,
            acknowledged.Count(c => Count(c) == 1),
            acknowledged.Count(c => Count(c) == 0),
            received.Values.Count(events => events.Count > 1),
            calls.Count(c => c.Status == HttpStatusCode.ServiceUnavailable),
            calls.Count(c => (int)c.Status >= 500 && c.Status != HttpStatusCode.ServiceUnavailable),
            calls.Max(c => c.Elapsed.TotalMilliseconds),
            othersP99);
        Report.Line($"triggers {result.Triggers}, acknowledged {result.Acknowledged}, delivered exactly once {result.ExactlyOnce}, lost {result.Lost}, "
            + $"duplicated at Novu {result.Duplicated}, 503 {result.Answered503}, 5xx other than 503 {result.Other5xx}, "
            + $"longest trigger answer {Report.Ms(result.LongestAnswerMs)}"
            + (othersP99 is { } p99 ? $", other enterprises' delivery p99 {Report.Ms(p99)}" : string.Empty)
            + (result.MeetsTarget ? " — target met" : " — TARGET MISSED"));
        return result;
    }

    /// <summary>One caller: a trigger every 1/rate seconds (or at once after a slower answer) until the load ends.</summary>
    private static async Task CallerAsync(
        BenchEnterprise enterprise, int index, string prefix, TimeSpan duration, int perSecond, ConcurrentBag<Call> calls, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(1.0 / perSecond);
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var transactionId = prefix + i.ToString(CultureInfo.InvariantCulture);
            var body = $$$"""{"workflowId":"default-sms","to":"chaos-{{{index}}}-{{{i}}}","transactionId":"{{{transactionId}}}","payload":{"body":"Chaos {{{i}}}"}}""";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            var startedAt = DateTimeOffset.UtcNow;
            var started = Stopwatch.GetTimestamp();
            HttpStatusCode status;
            try
            {
                using var response = await enterprise.Client.PostAsync("/api/trigger", content, cancellationToken);
                status = response.StatusCode;
            }
            catch (HttpRequestException)
            {
                // No answer at all: counted as a 5xx other than 503, since the caller cannot know what happened.
                status = HttpStatusCode.BadGateway;
            }

            calls.Add(new Call(index, transactionId, startedAt, status, Stopwatch.GetElapsedTime(started)));
            var wait = (interval * (i + 1)) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    private static async Task KillDispatcherAsync(BenchmarkApp app, CancellationToken cancellationToken)
    {
        // Slow Novu for a moment so that the killed replica surely holds batches in flight.
        await BenchmarkApp.EnsureSuccessAsync(
            await app.Novu.PostAsJsonAsync("/emulator/faults", new { latencyMs = 300, durationSeconds = 4 }, cancellationToken), "slowing the emulator");
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        var (resourceId, pid) = (await app.RunningAsync("dispatcher", cancellationToken)).First();
        // The whole tree: the resource's process may be a launcher whose child is the service itself.
        Process.GetProcessById(pid).Kill(entireProcessTree: true);
        Report.Line($"killed dispatcher replica {resourceId} (pid {pid}) and its children");
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        // The process is gone, so DCP's restart (a stop, then a start) refuses the stop; a start is the restart.
        var restarted = await app.Distributed.ResourceCommands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, cancellationToken);
        Report.Line(restarted.Success ? $"started {resourceId} again" : $"starting {resourceId} again failed: {restarted.Message}");
    }

    private static async Task KillPostgresBackendAsync(BenchmarkApp app, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(app.OwnerConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var find = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE usename IN ('xnovu_api', 'xnovu_dispatcher', 'xnovu_app') AND backend_type = 'client backend' ORDER BY backend_start LIMIT 1",
            connection);
        if (await find.ExecuteScalarAsync(cancellationToken) is int pid)
        {
            Process.GetProcessById(pid).Kill();
            Report.Line($"killed PostgreSQL backend {pid}");
        }

        // The suite's own pooled connections died with every other session; the services' pools recover by
        // themselves, this process starts afresh once the server has recovered.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        NpgsqlConnection.ClearAllPools();
    }

    private static async Task KillRedisAsync(BenchmarkApp app, TimeSpan down, CancellationToken cancellationToken)
    {
        var (resourceId, pid) = (await app.RunningAsync("redis", cancellationToken)).First();
        Process.GetProcessById(pid).Kill(entireProcessTree: true);
        Report.Line($"killed Redis (pid {pid}); starting it again in {down.TotalSeconds:0} s");
        await Task.Delay(down, cancellationToken);
        await app.Distributed.ResourceCommands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, cancellationToken);
    }

    private static async Task NovuDownAsync(BenchmarkApp app, TimeSpan down, CancellationToken cancellationToken) =>
        await BenchmarkApp.EnsureSuccessAsync(
            await app.Novu.PostAsJsonAsync("/emulator/faults", new { statusCode = 503, durationSeconds = (int)down.TotalSeconds }, cancellationToken),
            "making the emulator answer 503");

    /// <summary>By SQL, as another system may: a recipient with a number where text is expected.</summary>
    private static async Task InsertPoisonAsync(BenchmarkApp app, Guid enterpriseId, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(app.OwnerConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients)
            VALUES (@enterprise, 'default-sms', '{"body":"poison"}', '[{"subscriberId":"x","timezone":5}]')
            """,
            connection);
        insert.Parameters.AddWithValue("enterprise", enterpriseId);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        Report.Line("inserted a poison notification");
    }

    private sealed record Call(int Enterprise, string TransactionId, DateTimeOffset StartedAt, HttpStatusCode Status, TimeSpan Elapsed);
}
