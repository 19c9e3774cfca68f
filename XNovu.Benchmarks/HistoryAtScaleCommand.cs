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
        var list = new ListPlan(
            configuration.GetValue("ListCalls", 4000), configuration.GetValue("ListRounds", 5), configuration.GetValue("ListWarmup", 1000),
            configuration.GetValue("ListOnly", false));
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
        // --Repeats 2: empty, history, history, empty (each empty phase on a fresh folder), and each phase's figures
        // the mean of its two: a drift of the machine's speed over the run (runs 18-21: the same code's empty trigger
        // rate from 574 to 675/s in different runs) then weighs on both phases alike, where one empty phase before one
        // history phase measured the drift between them as well.
        var skipEmpty = configuration.GetValue("SkipEmpty", false);
        var repeats = Math.Clamp(configuration.GetValue("Repeats", 1), 1, 2);
        var emptyFigures = new List<Figures>();
        var historyFigures = new List<Figures>();
        if (!skipEmpty)
        {
            emptyFigures.Add(await MeasureEmptyAsync(settings, list, quiet, $"empty{(repeats > 1 ? " (1 of 2)" : "")}", stop.Token));
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
        for (var repeat = 1; repeat <= repeats; repeat++)
        {
            var label = $"with history{(repeats > 1 ? $" ({repeat} of 2)" : "")}";
            historyFigures.Add(await quiet.RunAsync(() => MeasureAsync(label, app, settings, lister, list, quiet, stop.Token), stop.Token));
        }

        var full = Figures.Mean(historyFigures);

        RetentionFigures? retention = null;
        if (!configuration.GetValue("SkipRetention", false) && !list.Only)
        {
            Report.Section("Retention of one day");
            retention = await quiet.RunAsync(() => RetentionAsync(app.OwnerConnectionString, configuration.GetValue("RetentionDaysAgo", days), rowByRowLimit, stop.Token), stop.Token);
        }

        if (skipEmpty)
        {
            Report.Line($"no baseline (--SkipEmpty): run time {total.Elapsed.TotalMinutes:0} min");
            return 0;
        }

        if (repeats > 1)
        {
            // The history's database is stopped first: the second empty phase runs alone, as the first did.
            await app.DisposeAsync();
            emptyFigures.Add(await MeasureEmptyAsync(settings, list, quiet, "empty (2 of 2)", stop.Token));
            Report.Section("Each phase (order: empty 1, history 1, history 2, empty 2)");
            foreach (var (label, figures) in emptyFigures.Select((f, i) => ($"empty {i + 1}", f)).Concat(historyFigures.Select((f, i) => ($"history {i + 1}", f))))
            {
                Report.Line($"{label,-10} {figures.TriggersPerSecond,8:N1} triggers/s, p99 {figures.TriggerP99,6:N1} ms; {figures.DispatchPerSecond,8:N1} deliveries/s; list p50 {figures.ListP50:N1} ms, p99 {figures.ListP99:N1} ms");
            }
        }

        var empty = Figures.Mean(emptyFigures);

        var rows = new List<ScenarioRow>();
        if (!list.Only)
        {
            rows.Add(Compare("single triggers/s", full.TriggersPerSecond, empty.TriggersPerSecond, "triggers/s", higherIsBetter: true));
            rows.Add(Compare("single trigger 202 p99", full.TriggerP99, empty.TriggerP99, "ms", higherIsBetter: false));
            rows.Add(Compare("dispatch deliveries/s", full.DispatchPerSecond, empty.DispatchPerSecond, "deliveries/s", higherIsBetter: true));
        }

        rows.Add(Compare("GET /api/notifications p50", full.ListP50, empty.ListP50, "ms", higherIsBetter: false));
        rows.Add(Compare("GET /api/notifications p99", full.ListP99, empty.ListP99, "ms", higherIsBetter: false));
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

    private sealed record Figures(double TriggersPerSecond, double TriggerP99, double DispatchPerSecond, double ListP50, double ListP99)
    {
        /// <summary>Each figure's mean over the phase's measurements (one, or two with <c>--Repeats 2</c>).</summary>
        public static Figures Mean(IReadOnlyList<Figures> all) => new(
            all.Average(f => f.TriggersPerSecond), all.Average(f => f.TriggerP99), all.Average(f => f.DispatchPerSecond),
            all.Average(f => f.ListP50), all.Average(f => f.ListP99));
    }

    /// <summary>One empty phase: a fresh data folder, whatever --DataPath says, its listing enterprise seeded; stopped after.</summary>
    private static async Task<Figures> MeasureEmptyAsync(BenchmarkSettings settings, ListPlan list, QuietGate quiet, string label, CancellationToken cancellationToken)
    {
        await using var emptyApp = await BenchmarkApp.StartAsync(settings.ForApp(null, "-empty"), cancellationToken);
        var emptyLister = await emptyApp.CreateEnterpriseAsync("bench-history-list", 8, cancellationToken);
        await SeedListAsync(emptyApp, emptyLister, cancellationToken);
        Report.Section($"Sizes, {label}");
        await PrintSizesAsync(emptyApp.OwnerConnectionString, cancellationToken);
        return await quiet.RunAsync(() => MeasureAsync(label, emptyApp, settings, emptyLister, list, quiet, cancellationToken), cancellationToken);
    }

    private static ScenarioRow Compare(string name, double withHistory, double empty, string unit, bool higherIsBetter)
    {
        var ratio = withHistory / empty;
        var met = higherIsBetter ? ratio >= 0.9 : ratio <= 1.1;
        return new ScenarioRow(name, $"{withHistory.ToString("N1", CultureInfo.InvariantCulture)} {unit}",
            $"{empty.ToString("N1", CultureInfo.InvariantCulture)} {unit} (empty)", ratio, "within 10%", met);
    }

    private static async Task<Figures> MeasureAsync(
        string label, BenchmarkApp app, BenchmarkSettings settings, BenchEnterprise lister, ListPlan plan, QuietGate quiet, CancellationToken cancellationToken)
    {
        double triggersPerSecond = double.NaN, triggerP99 = double.NaN, dispatchPerSecond = double.NaN;
        if (!plan.Only)
        {
            Report.Section($"1. Single triggers, {label}");
            var single = await SingleTriggers.RunAsync(app, settings, cancellationToken, ct => CheckpointAsync(app, ct));
            triggersPerSecond = single.HttpPerSecond;
            triggerP99 = Load.Percentile(single.Latencies, 99);
            Report.Section($"3. Dispatch, {label}");
            // The trigger scenario ends drained; what its rounds left the database to do is let finish.
            await quiet.WaitAsync("dispatch", cancellationToken);
            var dispatch = await Dispatch.RunAsync(app, settings, cancellationToken);
            dispatchPerSecond = dispatch.DeliveriesPerSecond;
            // The last dispatch round's Novu webhooks (20,000) are applied first, as before every round.
            await SingleTriggers.DrainAsync(app, settings, cancellationToken);
        }

        Report.Section($"Notification list, {label}");
        // What the dispatch left the database to do (autovacuum of the day's partitions, far larger with history) is
        // let finish: the list is measured alone, as the triggers and the dispatch are.
        await quiet.WaitAsync("list", cancellationToken);
        var (p50, p99) = await ListAsync(lister, plan, cancellationToken);
        return new Figures(triggersPerSecond, triggerP99, dispatchPerSecond, p50, p99);
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

    /// <summary>
    /// How the list is measured: <see cref="Warmup"/> calls first, not counted (each of the API's pooled connections
    /// prepares the walk's statements on first use, and the pages are read into memory), then <see cref="Rounds"/>
    /// rounds of <see cref="Calls"/>, whose latencies together give the figures. Runs 18 and 19 measured one round of
    /// 4,000 calls (four seconds) with its first calls counted: the empty phase's own p99 was 27.0 ms in one and
    /// 35.5 ms in the other, a spread wider than the 10% the target allows. <see cref="Only"/>: the list alone, no
    /// trigger, dispatch or retention (for profiling it).
    /// </summary>
    private sealed record ListPlan(int Calls, int Rounds, int Warmup, bool Only);

    /// <summary>The activity feed's reads: the newest page, a page filtered by status, and one by workflow, in turn.</summary>
    private static readonly string[] ListQueries =
        ["/api/notifications?limit=50", "/api/notifications?limit=50&status=FAILED", "/api/notifications?limit=50&workflowId=default-sms"];

    /// <summary>The list's p50 and p99 over every measured round; each round and each query's own figures are printed.</summary>
    private static async Task<(double P50, double P99)> ListAsync(BenchEnterprise lister, ListPlan plan, CancellationToken cancellationToken)
    {
        var warmup = await ListRoundAsync(lister, plan.Warmup, cancellationToken);
        Report.Line($"warm-up, not counted: {warmup.Calls} calls, {warmup.Failures} failed: p50 {Report.Ms(warmup.P(50))} p99 {Report.Ms(warmup.P(99))} max {Report.Ms(warmup.P(100))}");
        var all = new List<double>();
        var byQuery = ListQueries.Select(_ => new List<double>()).ToArray();
        var failures = 0;
        for (var round = 1; round <= plan.Rounds; round++)
        {
            var result = await ListRoundAsync(lister, plan.Calls, cancellationToken);
            var latencies = result.ByIndex;
            failures += result.Failures;
            all.AddRange(result.Latencies);
            for (var i = 0; i < latencies.Count; i++)
            {
                if (!double.IsNaN(latencies[i]))
                {
                    byQuery[i % ListQueries.Length].Add(latencies[i]);
                }
            }

            Report.Line($"round {round}: {result.Calls} calls in {result.Elapsed.TotalSeconds:0.0} s, {result.Failures} failed{(result.FirstFailure is null ? "" : $" (first: {result.FirstFailure})")}: p50 {Report.Ms(result.P(50))} p99 {Report.Ms(result.P(99))} max {Report.Ms(result.P(100))} (load {Report.LoadAverage()})");
        }

        all.Sort();
        for (var q = 0; q < ListQueries.Length; q++)
        {
            byQuery[q].Sort();
            Report.Line($"{ListQueries[q]}: p50 {Report.Ms(Load.Percentile(byQuery[q], 50))} p99 {Report.Ms(Load.Percentile(byQuery[q], 99))}");
        }

        var (p50, p99) = (Load.Percentile(all, 50), Load.Percentile(all, 99));
        Report.Line($"all rounds: {all.Count} calls, {failures} failed: p50 {Report.Ms(p50)} p99 {Report.Ms(p99)}");
        return (p50, p99);
    }

    /// <summary>One closed loop of the three queries in turn, 8 callers (call i asks query i mod 3).</summary>
    private static Task<LoopResult> ListRoundAsync(BenchEnterprise lister, int calls, CancellationToken cancellationToken) =>
        Load.ClosedLoopAsync(calls, 8, async i =>
        {
            using var response = await lister.Client.GetAsync(ListQueries[i % ListQueries.Length], cancellationToken);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        });

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
