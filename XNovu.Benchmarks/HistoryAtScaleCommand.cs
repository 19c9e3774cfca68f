using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Npgsql;
using XNovu.Benchmarks.Scenarios;

namespace XNovu.Benchmarks;

/// <summary>
/// Issue 32, history at scale, as one command: the real AppHost; the single-trigger, dispatch and notification-list
/// scenarios on the empty database (the baseline, this run); then <c>--HistoryNotifications</c> delivered
/// notifications (50 million by default), each with its delivery and transaction key, spread over
/// <c>--HistoryDays</c> past days (1 million a day by default), loaded straight into the day partitions; then the same
/// three scenarios again, each against its empty figure (target: within 10%); then retention of the oldest day by
/// dropping its partitions, against the row-by-row delete of the next day, the same size (target: under a second).
/// Table and index sizes are printed before and after.
/// </summary>
internal static partial class HistoryAtScaleCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
        var settings = configuration.Get<BenchmarkSettings>() ?? new BenchmarkSettings();
        var history = configuration.GetValue("HistoryNotifications", 50_000_000L);
        var days = configuration.GetValue("HistoryDays", 50);
        var listCalls = configuration.GetValue("ListCalls", 4000);
        // The row-by-row delete stops after this many notifications and its time for the whole day is extrapolated (0: all).
        var rowByRowLimit = configuration.GetValue("RowByRowLimit", 0L);
        var quiet = new QuietGate(configuration["QuietFile"], configuration.GetValue("QuietLoad", 0.0));
        using var stop = new CancellationTokenSource(TimeSpan.FromHours(4));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        var total = Stopwatch.StartNew();
        Console.WriteLine($"XNovu history at scale: {history:N0} notifications over {days} days, against the empty database, in one run.");

        // The baseline: a fresh data folder, whatever --DataPath says, with the same binaries as the history's phase.
        // --SkipEmpty: for profiling the history's phase only; no ratio is printed without the baseline.
        var skipEmpty = configuration.GetValue("SkipEmpty", false);
        Figures? empty = null;
        if (!skipEmpty)
        {
            await using (var emptyApp = await BenchmarkApp.StartAsync(settings.ForApp(null, "-empty"), stop.Token))
            {
                var emptyLister = await emptyApp.CreateEnterpriseAsync("bench-history-list", 8, stop.Token);
                await SeedListAsync(emptyApp, emptyLister, stop.Token);
                Report.Section("Sizes, empty");
                await PrintSizesAsync(emptyApp.OwnerConnectionString, stop.Token);
                empty = await quiet.RunAsync(() => MeasureAsync("empty", emptyApp, settings, emptyLister, listCalls, quiet, stop.Token), stop.Token);
            }
        }

        // The history: loaded into --DataPath (kept), or found there from an earlier run of this command.
        await using var app = await BenchmarkApp.StartAsync(settings, stop.Token);
        var marker = Path.Combine(app.DataPath, "history-at-scale.lister");
        BenchEnterprise lister;
        if (File.Exists(marker))
        {
            lister = await app.OpenEnterpriseAsync(Guid.Parse(await File.ReadAllTextAsync(marker, stop.Token)), 8, stop.Token);
            Report.Section($"The history loaded earlier in {app.DataPath} (listing enterprise {lister.Id})");
        }
        else
        {
            lister = await app.CreateEnterpriseAsync("bench-history-list", 8, stop.Token);
            await SeedListAsync(app, lister, stop.Token);
            Report.Section($"Loading {history:N0} notifications over {days} days");
            var loading = Stopwatch.StartNew();
            await LoadHistoryAsync(app.OwnerConnectionString, lister.Id, history, days, stop.Token);
            Report.Line($"loaded in {loading.Elapsed.TotalMinutes:0.0} min ({history / loading.Elapsed.TotalSeconds:N0} notifications/s with their deliveries and keys)");
            await File.WriteAllTextAsync(marker, lister.Id.ToString(), stop.Token);
        }

        // --LoadOnly: load (or find) the history and stop, so the measured run can come later on a machine left quiet.
        if (configuration.GetValue("LoadOnly", false))
        {
            Report.Section("Sizes, with the history (--LoadOnly: nothing measured)");
            await PrintSizesAsync(app.OwnerConnectionString, stop.Token);
            Report.Line($"run time {total.Elapsed.TotalMinutes:0} min");
            return 0;
        }

        Report.Section("Sizes, with the history");
        await PrintSizesAsync(app.OwnerConnectionString, stop.Token);
        var full = await quiet.RunAsync(() => MeasureAsync("with history", app, settings, lister, listCalls, quiet, stop.Token), stop.Token);

        RetentionFigures? retention = null;
        if (!configuration.GetValue("SkipRetention", false))
        {
            Report.Section("Retention of one day");
            retention = await quiet.RunAsync(() => RetentionAsync(app.OwnerConnectionString, days, rowByRowLimit, stop.Token), stop.Token);
        }

        if (empty is null)
        {
            Report.Line($"no baseline (--SkipEmpty): run time {total.Elapsed.TotalMinutes:0} min");
            return 0;
        }

        var rows = new List<ScenarioRow>
        {
            Compare("single triggers/s", full.TriggersPerSecond, empty.TriggersPerSecond, "triggers/s", higherIsBetter: true),
            Compare("single trigger 202 p99", full.TriggerP99, empty.TriggerP99, "ms", higherIsBetter: false),
            Compare("dispatch deliveries/s", full.DispatchPerSecond, empty.DispatchPerSecond, "deliveries/s", higherIsBetter: true),
            Compare("GET /api/notifications p50", full.ListP50, empty.ListP50, "ms", higherIsBetter: false),
            Compare("GET /api/notifications p99", full.ListP99, empty.ListP99, "ms", higherIsBetter: false),
        };
        if (retention is not null)
        {
            rows.Add(new("retention of one day (1 partition set)", Report.Ms(retention.DropMs),
                $"{Report.Ms(retention.RowByRowMs)} row by row ({retention.Rows:N0} notifications{(retention.Extrapolated ? ", extrapolated from the part deleted" : "")})",
                retention.DropMs / retention.RowByRowMs, "< 1 s", retention.DropMs < 1000));
        }


        Report.Section("Summary (ratio: with history / empty; retention: drop / row by row)");
        Console.Write(Report.Table(rows));
        Report.Line($"run time {total.Elapsed.TotalMinutes:0} min, load {Report.LoadAverage()}");
        return rows.All(r => r.Met != false) ? 0 : 1;
    }

    private sealed record Figures(double TriggersPerSecond, double TriggerP99, double DispatchPerSecond, double ListP50, double ListP99);

    private static ScenarioRow Compare(string name, double withHistory, double empty, string unit, bool higherIsBetter)
    {
        var ratio = withHistory / empty;
        var met = higherIsBetter ? ratio >= 0.9 : ratio <= 1.1;
        return new ScenarioRow(name, $"{withHistory.ToString("N1", CultureInfo.InvariantCulture)} {unit}",
            $"{empty.ToString("N1", CultureInfo.InvariantCulture)} {unit} (empty)", ratio, "within 10%", met);
    }

    private static async Task<Figures> MeasureAsync(
        string label, BenchmarkApp app, BenchmarkSettings settings, BenchEnterprise lister, int listCalls, QuietGate quiet, CancellationToken cancellationToken)
    {
        Report.Section($"1. Single triggers, {label}");
        var single = await SingleTriggers.RunAsync(app, settings, cancellationToken, ct => CheckpointAsync(app, ct));
        Report.Section($"3. Dispatch, {label}");
        // The trigger scenario ends drained; what its rounds left the database to do is let finish.
        await quiet.WaitAsync("dispatch", cancellationToken);
        var dispatch = await Dispatch.RunAsync(app, settings, cancellationToken);
        Report.Section($"Notification list, {label}");
        // The last dispatch round's Novu webhooks (20,000) are applied first, as before every round, and what the
        // dispatch left the database to do (autovacuum of the day's partitions, far larger with history) is let
        // finish: the list is measured alone, as the triggers and the dispatch are.
        await SingleTriggers.DrainAsync(app, settings, cancellationToken);
        await quiet.WaitAsync("list", cancellationToken);
        var list = await ListAsync(lister, listCalls, cancellationToken);
        Report.Line($"{list.Calls} calls, {list.Failures} failed{(list.FirstFailure is null ? "" : $" (first: {list.FirstFailure})")}: p50 {Report.Ms(list.P(50))} p99 {Report.Ms(list.P(99))} (load {Report.LoadAverage()})");
        return new Figures(single.HttpPerSecond, Load.Percentile(single.Latencies, 99), dispatch.DeliveriesPerSecond, list.P(50), list.P(99));
    }

    /// <summary>
    /// A checkpoint just before the measured trigger rounds, in both phases alike. Each phase's database starts when its
    /// app does, so its first timed checkpoint (<c>checkpoint_timeout</c>, 5 min) began about five minutes later, in
    /// whichever round was running then (run 15: 398/s and a 453 ms p99 in the empty phase's fourth round). A checkpoint
    /// started here restarts that clock, so the rounds (about two minutes with their pgbench anchors) run in the same
    /// part of the checkpoint cycle in both phases: the pages each phase writes first after it (full-page images,
    /// more of them with history) are still counted; where the next checkpoint's writing happens to fall is not.
    /// It did not remove the history phase's own slow round (run 16, docs/benchmarks.md): that one has another cause.
    /// </summary>
    private static async Task CheckpointAsync(BenchmarkApp app, CancellationToken cancellationToken)
    {
        var took = Stopwatch.StartNew();
        await ExecuteAsync(app.OwnerConnectionString, "CHECKPOINT", cancellationToken);
        Report.Line($"checkpoint before the rounds: {took.Elapsed.TotalMilliseconds:0} ms");
    }

    /// <summary>The activity feed's reads: the newest page, a page filtered by status, and one by workflow, in turn.</summary>
    private static Task<LoopResult> ListAsync(BenchEnterprise lister, int calls, CancellationToken cancellationToken)
    {
        string[] queries = ["/api/notifications?limit=50", "/api/notifications?limit=50&status=FAILED", "/api/notifications?limit=50&workflowId=default-sms"];
        return Load.ClosedLoopAsync(calls, 8, async i =>
        {
            using var response = await lister.Client.GetAsync(queries[i % queries.Length], cancellationToken);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        });
    }

    /// <summary>A first page for the empty run to read: 200 notifications of the listing enterprise, sent.</summary>
    private static async Task SeedListAsync(BenchmarkApp app, BenchEnterprise lister, CancellationToken cancellationToken) =>
        await ExecuteAsync(app.OwnerConnectionString,
            $"""
            SET session_replication_role = replica;
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, notification_status, payload, recipients, transaction_id, processed_at)
            SELECT '{lister.Id}', 'default-sms', CASE WHEN i % 20 = 0 THEN 'FAILED' ELSE 'SENT' END::notify.notification_status,
                   jsonb_build_object('body', 'Seed ' || i), '["seed"]', 'seed-' || i, now()
            FROM generate_series(1, 200) i;
            """, cancellationToken);

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
