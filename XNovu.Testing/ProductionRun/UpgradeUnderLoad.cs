using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace XNovu.Testing.ProductionRun;

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
public static partial class UpgradeUnderLoad
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
}
