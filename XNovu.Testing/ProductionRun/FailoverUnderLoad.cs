using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace XNovu.Testing.ProductionRun;

public sealed record FailoverRunOptions
{
    public string Configuration { get; init; } = "Release";

    public bool NoBuild { get; init; }

    /// <summary>Synchronous streaming replication (a 202 is on both machines) or asynchronous (the operator's other choice).</summary>
    public bool Synchronous { get; init; } = true;

    public int Enterprises { get; init; } = 3;

    public int TriggersPerSecondPerEnterprise { get; init; } = 40;

    /// <summary>Load on the healthy pair before the primary is lost (its first half a ramp from nothing).</summary>
    public TimeSpan Before { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>From the loss of the primary to the promotion: how long the failover manager takes to decide.</summary>
    public TimeSpan Detection { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Load on the new primary alone before the old one rejoins.</summary>
    public TimeSpan Alone { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Load once the old primary is the new one's standby again.</summary>
    public TimeSpan After { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a caller waits for an answer; a call not answered by then counts as a failure other than 503.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>What the failover run observed. Times are seconds from the promotion.</summary>
public sealed record FailoverRunResult(
    string Directory,
    bool Synchronous,
    IReadOnlyList<TriggerSample> Triggers,
    int Stored,
    int Delivered,
    int ReceivedAtNovu,
    int DuplicatedAtNovu,
    double PromotionSeconds,
    double? FirstAcceptedAfterPromotion,
    double? LastRefusedAfterPromotion,
    string Rejoin,
    double RejoinSeconds,
    IReadOnlyList<string> ReplicationAtEnd)
{
    public const string Healthy = "healthy pair";
    public const string PrimaryLost = "primary lost";
    public const string Promoted = "new primary alone";
    public const string Rejoined = "old primary rejoined";

    public int Accepted => Triggers.Count(t => t.Status == 202);

    /// <summary>Acknowledged (202) but not in the new primary's database.</summary>
    public int Lost => Accepted - Stored;

    /// <summary>The status of a notification list read through an API at the end.</summary>
    public int HistoryRead { get; init; }

    /// <summary>The API's sessions on the standby after that read: the reads went off the primary.</summary>
    public int ApiSessionsOnStandby { get; init; }

    /// <summary>Acknowledged but never received by Novu.</summary>
    public int LostAtNovu { get; init; }

    public int Answered503 => Triggers.Count(t => t.Status == 503);

    /// <summary>5xx other than 503, and calls that got no answer at all (the caller cannot know what happened).</summary>
    public int Other5xx => Triggers.Count(t => t.Status == 0 || (t.Status >= 500 && t.Status != 503));

    public int Other4xx => Triggers.Count(t => t.Status is >= 400 and < 500);

    /// <summary>The issue's targets: none lost or duplicated, nothing but 503 refused, accepting again within 15 s of the promotion.</summary>
    public bool MeetsTarget => Lost == 0 && LostAtNovu == 0 && DuplicatedAtNovu == 0 && Other5xx == 0 && Other4xx == 0
        && FirstAcceptedAfterPromotion is < 15;
}

/// <summary>
/// Losing the database's machine under load (issue 31, docs/reliability.md "Failover"): the services published and
/// started as plain processes with the Kubernetes base's environment (two APIs, two dispatchers), their
/// <c>XNOVU_DB_SERVER</c> naming both servers of a <see cref="ReplicatedPostgres"/> pair with
/// <c>Target Session Attributes=primary</c>; triggers from several enterprises at a steady rate over both APIs; then
/// the primary SIGKILLed, the standby promoted after <see cref="FailoverRunOptions.Detection"/>, the old primary
/// rejoined as a standby, and every acknowledged trigger looked up in the new primary and at Novu (the emulator).
/// No service is restarted or told anything.
/// </summary>
public static class FailoverUnderLoad
{
    private static readonly (string Project, string Name)[] Published =
        [("XNovu.MigrationService", "migrations"), ("XNovu.Api", "api"), ("XNovu.Dispatcher", "dispatcher"), ("XNovu.NovuEmulator", "novu")];

    public static async Task<FailoverRunResult> RunAsync(FailoverRunOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var token = timeout.Token;
        var directory = Path.Combine(Path.GetTempPath(), $"xnovu-failover-{Guid.NewGuid():N}"[..27]);
        Directory.CreateDirectory(directory);
        log($"Failover under load ({(options.Synchronous ? "synchronous" : "asynchronous")} replication) in {directory} (logs: {directory}/*.log)");
        var processes = new List<RunProcess>();
        ReplicatedPostgres? cluster = null;
        try
        {
            var clock = Stopwatch.StartNew();
            await PublishedServices.PublishAsync(Published, options.Configuration, options.NoBuild, directory, token);
            log($"published {Published.Length} projects in {clock.Elapsed.TotalSeconds:0.0} s");

            var pgPassword = LocalServers.NewPassword();
            cluster = await ReplicatedPostgres.StartAsync(directory, pgPassword, options.Synchronous, 300, token);
            log($"primary and {(options.Synchronous ? "synchronous" : "asynchronous")} standby streaming: {cluster.Hosts}");
            var (redisPort, redisPassword) = (LocalServers.FreePort(), LocalServers.NewPassword());
            processes.Add(await LocalServers.StartRedisAsync(directory, redisPort, redisPassword, token));

            var novuKey = LocalServers.NewPassword();
            var novuUrl = PublishedServices.Url(LocalServers.FreePort());
            processes.Add(PublishedServices.Start(directory, "novu", novuUrl, new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["NovuEmulator__SecretKey"] = novuKey,
                // The run counts what Novu received, duplicates included, from the emulator's inspection pages.
                ["NovuEmulator__DevelopmentEndpoints"] = "true",
            }));

            // The services know nothing of the failover but the list of hosts and that they want the primary.
            var server = $"{cluster.Hosts};Target Session Attributes=primary";
            var adminKey = LocalServers.NewPassword();
            var secret = new Dictionary<string, string>
            {
                ["ConnectionStrings__xnovu"] = $"{server};Username=postgres;Password={pgPassword};Database=xnovu",
                ["ConnectionStrings__redis"] = $"127.0.0.1:{redisPort},password={redisPassword}",
                ["XNovu__Database__AppPassword"] = LocalServers.NewPassword(),
                ["XNovu__Database__ApiPassword"] = LocalServers.NewPassword(),
                ["XNovu__Database__DispatcherPassword"] = LocalServers.NewPassword(),
                ["XNovu__Database__ConsolePassword"] = LocalServers.NewPassword(),
                ["XNovu__AdminKey"] = adminKey,
                ["XNovu__Novu__SecretKey"] = novuKey,
            };
            var kubernetes = KubernetesEnvironment.RenderBase();
            kubernetes.OverrideConfig("XNOVU_DB_SERVER", server);
            kubernetes.OverrideConfig("XNovu__Novu__ApiUrl", novuUrl);
            await UpgradeUnderLoad.MigrateAsync(directory, "migrations", kubernetes.For("Job/xnovu-migrations", secret), token);
            log("migrated through the multi-host connection string");

            var services = new List<(string Name, string Url)>();
            for (var i = 0; i < 2; i++)
            {
                foreach (var (workload, name) in new[] { ("Deployment/xnovu-api", $"api-{i}"), ("Deployment/xnovu-dispatcher", $"dispatcher-{i}") })
                {
                    var url = PublishedServices.Url(LocalServers.FreePort());
                    var environment = kubernetes.For(workload, secret);
                    environment["XNovu__Novu__RequestsPerSecond"] = "6000"; // the emulator stands for a large Novu plan
                    if (name.StartsWith("api-", StringComparison.Ordinal))
                    {
                        // The notification history is read off the primary, from the standby while there is one.
                        environment["ConnectionStrings__xnovu-api-reads"] =
                            $"{cluster.Hosts};Target Session Attributes=prefer-standby;Username=xnovu_api;Password={secret["XNovu__Database__ApiPassword"]};Database=xnovu";
                    }

                    processes.Add(PublishedServices.Start(directory, name, url, environment));
                    services.Add((name, url));
                }
            }

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { Timeout = options.CallTimeout };
            await RunHttp.WaitReadyAsync(http, services.Select(s => new KeyValuePair<string, string>(s.Name, s.Url)).Append(new("novu", novuUrl)), processes, directory, token);
            var apis = services.Where(s => s.Name.StartsWith("api-", StringComparison.Ordinal)).ToArray();

            var enterprises = new List<(Guid Id, string Key)>();
            for (var e = 0; e < options.Enterprises; e++)
            {
                enterprises.Add(await UpgradeUnderLoad.CreateEnterpriseAsync(http, apis[e % apis.Length].Url, adminKey, token));
            }

            var loads = enterprises.Select(e => TriggerLoad.Start(http, e.Key, options.TriggersPerSecondPerEnterprise, options.Before / 2, FailoverRunResult.Healthy, apis)).ToList();
            log($"{options.Enterprises} enterprises × {options.TriggersPerSecondPerEnterprise} triggers/s over {apis.Length} APIs for {options.Before.TotalSeconds:0} s");
            await Task.Delay(options.Before, token);

            loads.ForEach(l => l.Phase(FailoverRunResult.PrimaryLost));
            clock.Restart();
            await cluster.KillPrimaryAsync();
            log($"primary SIGKILLed (server and backends) in {clock.Elapsed.TotalSeconds:0.00} s");
            await Task.Delay(options.Detection, token);
            clock.Restart();
            await cluster.PromoteAsync(token);
            var promotion = clock.Elapsed.TotalSeconds;
            var promotedAt = loads.Select(l => l.Elapsed.TotalSeconds).ToList();
            loads.ForEach(l => l.Phase(FailoverRunResult.Promoted));
            log($"standby promoted in {promotion:0.00} s, {options.Detection.TotalSeconds:0} s after the loss");
            await Task.Delay(options.Alone, token);

            clock.Restart();
            var rejoin = await cluster.RejoinAsync(token);
            var rejoinSeconds = clock.Elapsed.TotalSeconds;
            loads.ForEach(l => l.Phase(FailoverRunResult.Rejoined));
            log($"old primary rejoined as standby by {rejoin} in {rejoinSeconds:0.0} s");
            await Task.Delay(options.After, token);

            var perLoad = await Task.WhenAll(loads.Select(l => l.StopAsync()));
            var samples = perLoad.SelectMany(s => s).ToList();

            // Seconds from the promotion (on each load's own clock) to the first 202 answered after it, and to the last refusal.
            var afterPromotion = perLoad.SelectMany((s, i) => s.Select(t => (Sample: t, Sent: t.SentAtSeconds - promotedAt[i], End: t.SentAtSeconds + (t.Milliseconds / 1000) - promotedAt[i])))
                .Where(t => t.End >= 0).ToList();
            double? firstAccepted = afterPromotion.Where(t => t.Sample.Status == 202 && t.Sent >= 0).Select(t => (double?)t.End).Min();
            double? lastRefused = afterPromotion.Where(t => t.Sample.Status != 202).Select(t => (double?)t.End).Max();

            var accepted = samples.Where(t => t.Status == 202).Select(t => t.TransactionId).ToHashSet(StringComparer.Ordinal);
            var (stored, delivered) = await WaitDeliveredAsync(cluster.OwnerOnPrimary(), accepted, options.DrainTimeout, token);
            var events = await http.GetFromJsonAsync<JsonArray>($"{novuUrl}/emulator/events", token) ?? [];
            var received = events.OfType<JsonObject>().Select(e => CallersTransactionId((string?)e["transactionId"])).OfType<string>()
                .Where(id => loads.Any(l => id.StartsWith(l.Prefix, StringComparison.Ordinal)))
                .GroupBy(id => id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var replication = await cluster.ReplicationAsync(token);

            // The history read through an API, from the standby (the rejoined old primary) where its sessions show.
            var (_, readKey) = enterprises[0];
            var history = await RunHttp.StatusAsync(http, HttpMethod.Get, $"{apis[0].Url}/api/notifications?limit=5", readKey, null, token);
            var readsOnStandby = await CountAsync(cluster.OwnerOnStandby(), "SELECT count(*)::int FROM pg_stat_activity WHERE usename = 'xnovu_api'", token);

            return new FailoverRunResult(directory, options.Synchronous, samples, stored, delivered, received.Count, received.Values.Count(c => c > 1),
                promotion, firstAccepted, lastRefused, rejoin, rejoinSeconds, replication)
            {
                HistoryRead = (int)history,
                ApiSessionsOnStandby = readsOnStandby,
                LostAtNovu = accepted.Count(id => !received.ContainsKey(id)),
            };
        }
        finally
        {
            foreach (var process in Enumerable.Reverse(processes))
            {
                await process.DisposeAsync();
            }

            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The caller's transaction id in what Novu received: XNovu sends <c>{enterprise id, 32 hex}:{id}</c> (NovuNames in
    /// XNovu.Core, which this harness does not reference), so one tenant's ids never meet another's at Novu.
    /// </summary>
    internal static string? CallersTransactionId(string? novuTransactionId) =>
        novuTransactionId is { Length: > 33 } id && id[32] == ':' && Guid.TryParseExact(id.AsSpan(0, 32), "N", out _) ? id[33..] : novuTransactionId;

    private static async Task<int> CountAsync(string connectionString, string sql, CancellationToken token)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(token);
        await using var command = new NpgsqlCommand(sql, connection);
        return (int)(await command.ExecuteScalarAsync(token))!;
    }

    /// <summary>Waits until every accepted trigger is SENT on the new primary (or the drain times out); answers how many are stored and how many SENT.</summary>
    private static async Task<(int Stored, int Delivered)> WaitDeliveredAsync(string owner, HashSet<string> accepted, TimeSpan drainTimeout, CancellationToken token)
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
                    "SELECT transaction_id, notification_status::text FROM notify.ent_notification WHERE transaction_id = ANY(@ids)", connection);
                select.Parameters.AddWithValue("ids", accepted.ToArray());
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
}
