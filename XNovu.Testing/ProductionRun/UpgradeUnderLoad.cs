using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace XNovu.Testing.ProductionRun;

public sealed record UpgradeRunOptions
{
    /// <summary>The build configuration to publish.</summary>
    public string Configuration { get; init; } = "Release";

    /// <summary>Publishes the existing build output (<c>dotnet publish --no-build</c>) instead of building.</summary>
    public bool NoBuild { get; init; }

    /// <summary>The previous release's last script: the database is migrated this far before the load starts.</summary>
    public string PreviousSchema { get; init; } = "0028";

    /// <summary>Delivered notifications (each with one delivery) in the history before the upgrade.</summary>
    public int Notifications { get; init; } = 5_000_000;

    /// <summary>The enterprises the history is spread over.</summary>
    public int HistoryEnterprises { get; init; } = 20;

    public int TriggersPerSecond { get; init; } = 500;

    /// <summary>
    /// Load on the previous release before anything is measured, rising from 0 to the full rate over its first half:
    /// each service's JIT keeps compiling hot methods for about a minute of load on two cores (docs/benchmarks.md),
    /// and a release that has run for days is warm.
    /// </summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The server's <c>max_connections</c>. During a rolling upgrade both releases' pods hold connection pools, so a
    /// server sized for one release's pods refuses connections (docs/operations.md).
    /// </summary>
    public int MaxConnections { get; init; } = 400;

    /// <summary>Load on the previous release alone, measured, before the migration starts.</summary>
    public TimeSpan Before { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Load on both releases' APIs once the new one is ready.</summary>
    public TimeSpan Beside { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>
    /// The new API's share of the triggers rises from nothing to an even one over this time after it is ready, as
    /// a load balancer's slow start gives a new pod (AWS ALB, Envoy, NGINX Plus); zero: an even share at once. A
    /// cold API given half of 500 triggers/s on two cores spends its first seconds compiling, and on a busy
    /// machine does not catch up (docs/operations.md).
    /// </summary>
    public TimeSpan SlowStart { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Load on the new release alone once the previous one is stopped.</summary>
    public TimeSpan After { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// For comparison, once the upgrade is done: the same index as 0029's built by a plain <c>CREATE INDEX</c> under the
    /// same load, as 0026 built its index (what a migration written without the rule costs), then dropped.
    /// </summary>
    public bool PlainBuildUnderLoad { get; init; } = true;

    /// <summary>How long every accepted trigger may take to be SENT once the load stops.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(3);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(3);
}

/// <summary>
/// The most service backends seen waiting on a lock at once: any lock (the services' own contention included, such as
/// two commits upserting one subscriber), and a lock held by (or queued for by) a backend that is not a service's (the
/// migrator's); the longest such wait seen in progress (pg_locks.waitstart, sampled every 100 ms, so a lower bound
/// of the longest), and the statement of the backend it waited behind.
/// </summary>
public sealed record LockWaits(int Any, int BehindOthers, double LongestBehindOthersMs = 0, string? Blocker = null);

/// <summary>What the upgrade run observed; the harness throws before returning when a step fails outright.</summary>
public sealed record UpgradeRunResult(
    string Directory,
    TimeSpan Load,
    TimeSpan Vacuum,
    TimeSpan Migration,
    IReadOnlyList<string> Applied,
    IReadOnlyList<TriggerSample> Triggers,
    int Stored,
    int Delivered,
    TimeSpan Drain,
    bool PreviousStoppedGracefully,
    IReadOnlyDictionary<string, LockWaits> MaxLockWaiters,
    int PeakConnections,
    IReadOnlyList<string> IndexBuildPhases,
    TimeSpan? PlainIndexBuild,
    double SubscriberLookupBeforeMs,
    double SubscriberLookupAfterMs,
    string SubscriberLookupPlan,
    double LoadLagMs)
{
    public const string WarmUp = "warm-up";
    public const string PreviousRelease = "previous release";
    public const string Migrating = "migrating";
    public const string NewStarting = "new release starting";
    public const string SideBySide = "side by side";
    public const string NewRelease = "new release";
    public const string PlainBuild = "plain CREATE INDEX";
    public const string AfterPlainBuild = "after it";

    public static IReadOnlyList<string> Phases { get; } = [WarmUp, PreviousRelease, Migrating, NewStarting, SideBySide, NewRelease, PlainBuild, AfterPlainBuild];

    /// <summary>Whether <paramref name="phase"/> belongs to the upgrade (neither the warm-up nor the comparison after it).</summary>
    public static bool IsUpgrade(string phase) => phase is not (WarmUp or PlainBuild or AfterPlainBuild);

    /// <summary>The triggers of <paramref name="phase"/>; null: every one of the upgrade, what the targets judge.</summary>
    public IReadOnlyList<TriggerSample> In(string? phase) =>
        Triggers.Where(t => phase is null ? IsUpgrade(t.Phase) : t.Phase == phase).ToList();

    /// <summary>Accepted triggers, the warm-up's included: each must be stored and SENT.</summary>
    public int Accepted => Triggers.Count(t => t.Status == 202);

    /// <summary>Accepted triggers that are not in the database: lost.</summary>
    public int Lost => Accepted - Stored;

    /// <summary>Latencies of the accepted triggers of <paramref name="phase"/> (all: null), ascending.</summary>
    public IReadOnlyList<double> Latencies(string? phase = null) =>
        In(phase).Where(t => t.Status == 202).Select(t => t.Milliseconds).Order().ToList();

    /// <summary>Answers other than 202 by status (0: no answer), for <paramref name="phase"/> (all: null).</summary>
    public IReadOnlyDictionary<int, int> Errors(string? phase = null) =>
        In(phase).Where(t => t.Status != 202).GroupBy(t => t.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    public static double Percentile(IReadOnlyList<double> sorted, double percent) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>
/// An upgrade under load, as a deployment does it (docs/operations.md, "Migrations without downtime"): the services
/// published and started as plain processes with the Kubernetes base's environment (as the production-shaped run
/// does), a database at the previous release's schema holding a history of delivered notifications, triggers at a
/// steady rate throughout; then the new release's migrations (the migrator process, as the Job runs it) while the
/// previous release keeps serving, the new release's API and dispatcher started beside the previous ones, the
/// previous ones stopped (out of the rotation first, then SIGTERM), and every accepted trigger checked stored and
/// SENT. Both releases are this build: what is tested is the schema change with services running, and that
/// services started before it keep working on the expanded schema.
/// </summary>
public static class UpgradeUnderLoad
{
    private static readonly (string Project, string Name)[] Published =
        [("XNovu.MigrationService", "migrations"), ("XNovu.Api", "api"), ("XNovu.Dispatcher", "dispatcher"), ("XNovu.NovuEmulator", "novu")];

    public static async Task<UpgradeRunResult> RunAsync(UpgradeRunOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var token = timeout.Token;
        var directory = Path.Combine(Path.GetTempPath(), $"xnovu-upgrade-{Guid.NewGuid():N}"[..26]);
        Directory.CreateDirectory(directory);
        log($"Upgrade under load in {directory} (logs: {directory}/*.log)");
        var processes = new List<RunProcess>();
        try
        {
            var clock = Stopwatch.StartNew();
            await PublishedServices.PublishAsync(Published, options.Configuration, options.NoBuild, directory, token);
            log($"published {Published.Length} projects in {clock.Elapsed.TotalSeconds:0.0} s");

            var (pgPort, pgPassword, redisPort, redisPassword) = (LocalServers.FreePort(), LocalServers.NewPassword(), LocalServers.FreePort(), LocalServers.NewPassword());
            processes.Add(await LocalServers.StartPostgresAsync(Path.Combine(directory, "postgres"), pgPort, pgPassword, token, options.MaxConnections));
            processes.Add(await LocalServers.StartRedisAsync(directory, redisPort, redisPassword, token));
            var owner = $"Host=127.0.0.1;Port={pgPort};Username=postgres;Password={pgPassword};Database=xnovu";

            var novuKey = LocalServers.NewPassword();
            var novuUrl = PublishedServices.Url(LocalServers.FreePort());
            processes.Add(PublishedServices.Start(directory, "novu", novuUrl, new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["NovuEmulator__SecretKey"] = novuKey,
                ["NovuEmulator__DevelopmentEndpoints"] = "false",
            }));

            var adminKey = LocalServers.NewPassword();
            var secret = new Dictionary<string, string>
            {
                ["ConnectionStrings__xnovu"] = owner,
                ["ConnectionStrings__redis"] = $"127.0.0.1:{redisPort},password={redisPassword}",
                ["XNovu__Database__AppPassword"] = LocalServers.NewPassword(),
                ["XNovu__Database__ApiPassword"] = LocalServers.NewPassword(),
                ["XNovu__Database__DispatcherPassword"] = LocalServers.NewPassword(),
                ["XNovu__Database__ConsolePassword"] = LocalServers.NewPassword(),
                ["XNovu__AdminKey"] = adminKey,
                ["XNovu__Novu__SecretKey"] = novuKey,
            };
            var kubernetes = KubernetesEnvironment.RenderBase();
            kubernetes.OverrideConfig("XNOVU_DB_SERVER", $"Host=127.0.0.1;Port={pgPort}");
            kubernetes.OverrideConfig("XNovu__Novu__ApiUrl", novuUrl);
            // The emulator stands for a Novu plan of 6,000 triggers/s, as in the AppHost; at the default (Free, 60/s) the
            // dispatchers would wait on the plan's rate, not on XNovu.
            var novuPlan = new Dictionary<string, string> { ["XNovu__Novu__RequestsPerSecond"] = "6000" };

            var previousJob = kubernetes.For("Job/xnovu-migrations", secret);
            previousJob["XNovu__Migrations__Through"] = options.PreviousSchema;
            await MigrateAsync(directory, "migrations-previous", previousJob, token);
            log($"migrated to the previous release's schema (through {options.PreviousSchema})");

            clock.Restart();
            await LoadHistoryAsync(owner, options, log, token);
            var load = clock.Elapsed;
            clock.Restart();
            await ExecuteAsync(owner, "VACUUM (ANALYZE) notify.ent_notification, notify.ent_notification_delivery", token);
            var vacuum = clock.Elapsed;
            log($"{options.Notifications:N0} delivered notifications loaded in {load.TotalSeconds:0} s, vacuumed in {vacuum.TotalSeconds:0} s");
            var lookupBefore = await SubscriberLookupAsync(owner, token);

            // The previous release: one API, one dispatcher, serving before the upgrade starts.
            var previous = StartRelease(directory, "0", kubernetes, secret, novuPlan, processes);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { Timeout = TimeSpan.FromSeconds(10) };
            await RunHttp.WaitReadyAsync(http, [new("novu", novuUrl), new(previous.Api.Name, previous.Api.Url), new(previous.Dispatcher.Name, previous.Dispatcher.Url)],
                processes, directory, token);
            var (enterprise, key) = await CreateEnterpriseAsync(http, previous.Api.Url, adminKey, token);

            var triggers = TriggerLoad.Start(http, key, options.TriggersPerSecond, options.WarmUp / 2, UpgradeRunResult.WarmUp, previous.Api);
            using var watching = CancellationTokenSource.CreateLinkedTokenSource(token);
            var watch = WatchAsync(owner, triggers, watching.Token);
            log($"{options.TriggersPerSecond} triggers/s on {previous.Api.Name}: {options.WarmUp.TotalSeconds:0} s of warm-up, then {options.Before.TotalSeconds:0} s measured before the migration");
            await Task.Delay(options.WarmUp, token);
            triggers.Phase(UpgradeRunResult.PreviousRelease);
            await Task.Delay(options.Before, token);

            // The new release's Job: every pending script, while the previous release serves.
            triggers.Phase(UpgradeRunResult.Migrating);
            var before = await AppliedScriptsAsync(owner, token);
            clock.Restart();
            await MigrateAsync(directory, "migrations-new", kubernetes.For("Job/xnovu-migrations", secret), token);
            var migration = clock.Elapsed;
            var applied = (await AppliedScriptsAsync(owner, token)).Except(before).ToList();
            log($"new release's migrations applied in {migration.TotalSeconds:0.0} s: {string.Join(", ", applied)}");
            var lookupAfter = await SubscriberLookupAsync(owner, token);
            var plan = await SubscriberLookupPlanAsync(owner, token);

            // The new release beside the previous one; then the previous one out of the rotation, and stopped.
            triggers.Phase(UpgradeRunResult.NewStarting);
            var next = StartRelease(directory, "1", kubernetes, secret, novuPlan, processes);
            await RunHttp.WaitReadyAsync(http, [new(next.Api.Name, next.Api.Url), new(next.Dispatcher.Name, next.Dispatcher.Url)], processes, directory, token);
            triggers.Join(next.Api, options.SlowStart);
            triggers.Phase(UpgradeRunResult.SideBySide);
            log($"{next.Api.Name} and {next.Dispatcher.Name} ready beside {previous.Api.Name} and {previous.Dispatcher.Name}");
            await Task.Delay(options.Beside, token);

            triggers.Route(next.Api);
            triggers.Phase(UpgradeRunResult.NewRelease);
            var stopped = await Task.WhenAll(
                processes.Single(p => p.Name == previous.Api.Name).StopAsync(TimeSpan.FromSeconds(30)),
                processes.Single(p => p.Name == previous.Dispatcher.Name).StopAsync(TimeSpan.FromSeconds(30)));
            log($"previous release stopped ({(stopped.All(s => s) ? "gracefully" : "killed after 30 s")})");
            await Task.Delay(options.After, token);

            // What 0029 would have cost as a plain CREATE INDEX in a transaction, as 0026 built its index: every insert
            // into the deliveries waits behind its SHARE lock for the whole build.
            TimeSpan? plainBuild = null;
            if (options.PlainBuildUnderLoad)
            {
                triggers.Phase(UpgradeRunResult.PlainBuild);
                clock.Restart();
                await ExecuteAsync(owner, "CREATE INDEX ix_upgrade_probe ON notify.ent_notification_delivery (enterprise_id, subscriber_id)", token);
                plainBuild = clock.Elapsed;
                triggers.Phase(UpgradeRunResult.AfterPlainBuild);
                log($"for comparison, the same index built by a plain CREATE INDEX under the load: {plainBuild.Value.TotalSeconds:0.0} s");
                await Task.Delay(options.After, token);
            }

            var samples = await triggers.StopAsync();
            await watching.CancelAsync();
            var (maxLockWaiters, peakConnections, buildPhases) = await watch;
            clock.Restart();
            var accepted = samples.Where(t => t.Status == 202).Select(t => t.TransactionId).ToHashSet(StringComparer.Ordinal);
            var (stored, delivered) = await WaitDeliveredAsync(owner, enterprise, triggers.Prefix, accepted, options.DrainTimeout, token);
            var drain = clock.Elapsed;
            if (plainBuild is not null)
            {
                await ExecuteAsync(owner, "DROP INDEX notify.ix_upgrade_probe", token);
            }

            return new UpgradeRunResult(directory, load, vacuum, migration, applied, samples, stored, delivered, drain, stopped.All(s => s),
                maxLockWaiters, peakConnections, buildPhases, plainBuild, lookupBefore, lookupAfter, plan, triggers.MaxLagMs);
        }
        finally
        {
            foreach (var process in Enumerable.Reverse(processes))
            {
                await process.DisposeAsync();
            }

            // Gigabytes at the default size; the logs stay.
            DeleteQuietly(Path.Combine(directory, "postgres", "pgdata"));
        }
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // the temp directory is cleaned by the machine
        }
    }

    private sealed record Release((string Name, string Url) Api, (string Name, string Url) Dispatcher);

    /// <summary>One release's API and dispatcher, started; not yet ready.</summary>
    private static Release StartRelease(
        string directory, string suffix, KubernetesEnvironment kubernetes, Dictionary<string, string> secret, Dictionary<string, string> extra, List<RunProcess> processes)
    {
        Dictionary<string, string> Environment(string workload) =>
            kubernetes.For(workload, secret).Concat(extra).ToDictionary(e => e.Key, e => e.Value);
        var api = ($"api-{suffix}", PublishedServices.Url(LocalServers.FreePort()));
        var dispatcher = ($"dispatcher-{suffix}", PublishedServices.Url(LocalServers.FreePort()));
        processes.Add(PublishedServices.Start(directory, api.Item1, api.Item2, Environment("Deployment/xnovu-api")));
        processes.Add(PublishedServices.Start(directory, dispatcher.Item1, dispatcher.Item2, Environment("Deployment/xnovu-dispatcher")));
        return new Release(api, dispatcher);
    }

    internal static async Task MigrateAsync(string directory, string name, Dictionary<string, string> environment, CancellationToken token)
    {
        await using var migrations = PublishedServices.Start(directory, name, null, environment);
        var exit = await migrations.WaitForExitAsync(token);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{name} exited with {exit} (see {directory}/{name}.log)");
        }
    }

    /// <summary>
    /// A history of delivered notifications, each with its one delivery, written as a bulk load writes it: in id
    /// order, with triggers off (the rows are consistent by construction, so neither the deliveries trigger nor the
    /// foreign key checks are needed), spread over the last days so that retention keeps them.
    /// </summary>
    private static async Task LoadHistoryAsync(string owner, UpgradeRunOptions options, Action<string> log, CancellationToken token)
    {
        const int Chunk = 250_000;
        var n = options.Notifications;
        var spacing = Math.Min(0.5, 30 * 86_400.0 / Math.Max(n, 1)).ToString(CultureInfo.InvariantCulture);
        const string Enterprise = "('00000000-0000-4000-8000-' || lpad(to_hex(1 + i % @enterprises), 12, '0'))::uuid";
        await ExecuteAsync(owner,
            "INSERT INTO notify.enterprise (id, name) SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(e), 12, '0'))::uuid, 'history ' || e FROM generate_series(1, @enterprises) e",
            token, ("enterprises", options.HistoryEnterprises));
        var clock = Stopwatch.StartNew();
        for (var from = 1; from <= n; from += Chunk)
        {
            var to = Math.Min(n, from + Chunk - 1);
            await ExecuteAsync(owner,
                $"""
                SET session_replication_role = replica;
                INSERT INTO notify.ent_notification (id, enterprise_id, workflow_key, notification_status, payload, recipients,
                                                     transaction_id, processed_at, created_at, updated_at)
                OVERRIDING SYSTEM VALUE
                SELECT i, {Enterprise}, 'default-sms', 'SENT', jsonb_build_object('body', 'History ' || i),
                       jsonb_build_array('history-' || (i % 100000)), 'history-' || i, t, t, t
                FROM generate_series(@from, @to) AS i, LATERAL (SELECT now() - make_interval(secs => (@n - i) * {spacing}) AS t) x;
                INSERT INTO notify.ent_notification_delivery (enterprise_id, notification_id, ordinal, subscriber_id, recipient, status,
                                                              transaction_id, attempts, next_attempt_at, novu_status, sent_at, created_at, updated_at)
                SELECT {Enterprise}, i, 1, 'history-' || (i % 100000), jsonb_build_object('subscriberId', 'history-' || (i % 100000)),
                       'SENT', 'history-' || i, 1, t, 'processed', t, t, t
                FROM generate_series(@from, @to) AS i, LATERAL (SELECT now() - make_interval(secs => (@n - i) * {spacing}) AS t) x;
                """,
                token, ("from", from), ("to", to), ("n", n), ("enterprises", options.HistoryEnterprises));
            log($"  {to:N0} of {n:N0} notifications and deliveries ({to / clock.Elapsed.TotalSeconds:N0}/s)");
        }

        await ExecuteAsync(owner, "SELECT setval(pg_get_serial_sequence('notify.ent_notification', 'id'), greatest(@n, 1))", token, ("n", n));
    }

    /// <summary>
    /// Samples, until cancelled, how many of the services' backends wait on a lock in each phase of the load (a
    /// trigger queued behind the migration is one behind another backend), how many connections they hold at most,
    /// and the phases of any index build.
    /// </summary>
    private static async Task<(IReadOnlyDictionary<string, LockWaits> MaxLockWaiters, int PeakConnections, IReadOnlyList<string> BuildPhases)> WatchAsync(
        string owner, TriggerLoad load, CancellationToken token)
    {
        var waiters = new Dictionary<string, LockWaits>();
        var peak = 0;
        var phases = new List<string>();
        var clock = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(owner + ";Pooling=false");
        await connection.OpenAsync(CancellationToken.None);
        await using var sample = new NpgsqlCommand(
            """
            WITH waiting AS (
                SELECT (SELECT max(now() - l.waitstart) FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted) AS waited,
                       (SELECT left(o.query, 200) FROM unnest(pg_blocking_pids(a.pid)) AS b(pid) JOIN pg_stat_activity o ON o.pid = b.pid
                        WHERE o.usename NOT IN ('xnovu_api', 'xnovu_dispatcher') LIMIT 1) AS blocker
                FROM pg_stat_activity a
                WHERE a.backend_type = 'client backend' AND a.usename IN ('xnovu_api', 'xnovu_dispatcher') AND a.wait_event_type = 'Lock')
            SELECT (SELECT count(*) FROM waiting)::int,
                   (SELECT count(*) FROM waiting WHERE blocker IS NOT NULL)::int,
                   (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename IN ('xnovu_api', 'xnovu_dispatcher'))::int,
                   (SELECT string_agg(p.phase, ', ') FROM pg_stat_progress_create_index p),
                   (SELECT coalesce(max(extract(epoch FROM waited) * 1000), 0) FROM waiting WHERE blocker IS NOT NULL)::float8,
                   (SELECT blocker FROM waiting WHERE blocker IS NOT NULL ORDER BY waited DESC NULLS LAST LIMIT 1)
            """, connection);
        while (!token.IsCancellationRequested)
        {
            var phase = load.CurrentPhase;
            await using (var reader = await sample.ExecuteReaderAsync(CancellationToken.None))
            {
                await reader.ReadAsync(CancellationToken.None);
                var seen = waiters.GetValueOrDefault(phase) ?? new LockWaits(0, 0);
                var longest = reader.GetDouble(4);
                waiters[phase] = new LockWaits(
                    Math.Max(seen.Any, reader.GetInt32(0)),
                    Math.Max(seen.BehindOthers, reader.GetInt32(1)),
                    Math.Max(seen.LongestBehindOthersMs, longest),
                    longest > seen.LongestBehindOthersMs && !reader.IsDBNull(5) ? reader.GetString(5) : seen.Blocker);
                peak = Math.Max(peak, reader.GetInt32(2));
                var build = reader.IsDBNull(3) ? "none" : reader.GetString(3);
                if (phases.Count == 0 ? build != "none" : !phases[^1].EndsWith(build, StringComparison.Ordinal))
                {
                    phases.Add($"{clock.Elapsed.TotalSeconds:0.0} s: {build}");
                }
            }

            try
            {
                await Task.Delay(100, token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (waiters, peak, phases);
    }

    internal static async Task<(Guid Enterprise, string Key)> CreateEnterpriseAsync(HttpClient http, string api, string adminKey, CancellationToken token)
    {
        using var create = await RunHttp.SendAsync(http, HttpMethod.Post, $"{api}/api/admin/enterprises", adminKey, new JsonObject { ["name"] = "Upgrade under load" }, token);
        create.EnsureSuccessStatusCode();
        var enterprise = (await create.Content.ReadFromJsonAsync<JsonObject>(token))!["id"]!.GetValue<Guid>();
        using var keyAnswer = await RunHttp.SendAsync(http, HttpMethod.Post, $"{api}/api/admin/enterprises/{enterprise}/api-keys", adminKey, new JsonObject { ["name"] = "upgrade" }, token);
        keyAnswer.EnsureSuccessStatusCode();
        // The admin override lifts the per-enterprise rates: the load is one enterprise at a steady rate, not a noisy tenant.
        using var limit = await RunHttp.SendAsync(http, HttpMethod.Put, $"{api}/api/admin/enterprises/{enterprise}/rate-limit", adminKey,
            new JsonObject { ["triggersPerSecond"] = 1_000_000, ["writesPerSecond"] = 1_000_000, ["readsPerSecond"] = 1_000_000 }, token);
        limit.EnsureSuccessStatusCode();
        return (enterprise, (string)(await keyAnswer.Content.ReadFromJsonAsync<JsonObject>(token))!["key"]!);
    }

    /// <summary>Waits until every accepted trigger is SENT (or the drain times out); answers how many are stored and how many SENT.</summary>
    private static async Task<(int Stored, int Delivered)> WaitDeliveredAsync(
        string owner, Guid enterprise, string prefix, HashSet<string> accepted, TimeSpan drainTimeout, CancellationToken token)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var stored = 0;
            var delivered = 0;
            await using (var connection = new NpgsqlConnection(owner))
            {
                await connection.OpenAsync(token);
                await using var select = new NpgsqlCommand(
                    "SELECT transaction_id, notification_status::text FROM notify.ent_notification WHERE enterprise_id = @e AND transaction_id LIKE @p",
                    connection);
                select.Parameters.AddWithValue("e", enterprise);
                select.Parameters.AddWithValue("p", prefix + "%");
                await using var reader = await select.ExecuteReaderAsync(token);
                while (await reader.ReadAsync(token))
                {
                    if (accepted.Contains(reader.GetString(0)))
                    {
                        stored++;
                        delivered += reader.GetString(1) == "SENT" ? 1 : 0;
                    }
                }
            }

            if (delivered == accepted.Count || deadline.Elapsed > drainTimeout)
            {
                return (stored, delivered);
            }

            await Task.Delay(500, token);
        }
    }

    private const string SubscriberLookup =
        """
        SELECT count(*) FROM notify.ent_notification_delivery
        WHERE enterprise_id = '00000000-0000-4000-8000-000000000002' AND subscriber_id = 'history-1'
        """;

    /// <summary>A subscriber's deliveries in one enterprise, as its export and erasure find them: the second of two runs, in ms.</summary>
    private static async Task<double> SubscriberLookupAsync(string owner, CancellationToken token)
    {
        await ExecuteAsync(owner, SubscriberLookup, token);
        var clock = Stopwatch.StartNew();
        await ExecuteAsync(owner, SubscriberLookup, token);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task<string> SubscriberLookupPlanAsync(string owner, CancellationToken token)
    {
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync(token);
        await using var explain = new NpgsqlCommand("EXPLAIN " + SubscriberLookup, connection);
        await using var reader = await explain.ExecuteReaderAsync(token);
        var lines = new List<string>();
        while (await reader.ReadAsync(token))
        {
            lines.Add(reader.GetString(0).Trim());
        }

        return string.Join(" / ", lines);
    }

    private static async Task<List<string>> AppliedScriptsAsync(string owner, CancellationToken token)
    {
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync(token);
        await using var select = new NpgsqlCommand("SELECT scriptname FROM public.xnovu_schema_versions ORDER BY schemaversionsid", connection);
        await using var reader = await select.ExecuteReaderAsync(token);
        var names = new List<string>();
        while (await reader.ReadAsync(token))
        {
            var name = reader.GetString(0);
            names.Add(name[(name.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..^".sql".Length]);
        }

        return names;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken token, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(token);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(token);
    }
}
