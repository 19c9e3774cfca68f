using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using XNovu.Testing;

using XNovu.Testing.NoisyNeighbours;

namespace XNovu.Benchmarks;

/// <summary>An enterprise made for one scenario, with a client that carries its API key.</summary>
public sealed record BenchEnterprise(Guid Id, HttpClient Client);

/// <summary>An event as the Novu emulator received it.</summary>
public sealed record ReceivedEvent(string TransactionId, DateTimeOffset ReceivedAt, JsonObject Body);

/// <summary>
/// The real AppHost, started once in Local mode with a fresh data folder, as the integration tests start
/// it, plus what the scenarios need: HTTP clients for the API and the emulator, both connection strings,
/// enterprises with their rate limit lifted, and a wait for the dispatchers to drain their queue.
/// </summary>
public sealed class BenchmarkApp : IAsyncDisposable
{
    public const string AdminKey = "xnovu-bench-admin-key";

    /// <summary>The only key the emulator accepts; the AppHost sets it (<c>NovuEmulator__SecretKey</c>).</summary>
    public const string EmulatorKey = "xnovu-emulator-secret-key";

    /// <summary>Trigger calls per second per enterprise: the API's ceiling, far above what two cores reach.</summary>
    public const int UnlimitedTriggersPerSecond = 1_000_000;

    private readonly DistributedApplication _app;
    private readonly ResourceLogFiles _logs;
    private readonly List<HttpClient> _clients = [];
    private readonly bool _keepData;
    private bool _disposed;

    private BenchmarkApp(DistributedApplication app, ResourceLogFiles logs, string dataPath, bool keepData, Uri api, Uri novu, string owner, string appRole)
    {
        _app = app;
        _logs = logs;
        DataPath = dataPath;
        _keepData = keepData;
        ApiUrl = api;
        NovuUrl = novu;
        OwnerConnectionString = owner;
        AppConnectionString = appRole;
        Novu = CreateClient(novu, 8);
    }

    public string DataPath { get; }

    /// <summary>The running AppHost, for resource commands (stop, start, restart) in the chaos scenarios.</summary>
    public DistributedApplication Distributed => _app;

    public Uri ApiUrl { get; }

    /// <summary>The emulator's URL, the same the dispatchers were given.</summary>
    public Uri NovuUrl { get; }

    /// <summary>The database owner (the migrations' role): inserts as another system would, and counts across enterprises.</summary>
    public string OwnerConnectionString { get; }

    /// <summary>The services' role, <c>xnovu_app</c>, bound by row-level security: what pgbench connects as.</summary>
    public string AppConnectionString { get; }

    /// <summary>What the noisy-neighbour suite attacks: this run's API, emulator and database.</summary>
    public NoisyTarget NoisyTarget => new(ApiUrl, NovuUrl, AdminKey, OwnerConnectionString);

    /// <summary>The emulator's inspection API and Novu routes (no default authorization).</summary>
    public HttpClient Novu { get; }

    public static async Task<BenchmarkApp> StartAsync(BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        var keepData = !string.IsNullOrWhiteSpace(settings.DataPath);
        var dataPath = keepData ? Path.GetFullPath(settings.DataPath!) : Path.Combine(Path.GetTempPath(), $"xnovu-bench-{Guid.NewGuid():N}"[..24]);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.XNovu_AppHost>(
            [
                "XNovu:Infrastructure=Local",
                $"XNovu:Local:DataPath={dataPath}",
                $"Parameters:xnovu-admin-key={AdminKey}",
                "Parameters:novu-secret-key=",
                $"XNovu:DispatcherReplicas={settings.DispatcherReplicas}",
                $"XNovu:Dispatcher:Concurrency={settings.DispatcherLoops}",
                // The client paces itself to a Novu plan (60 triggers/s by default, a bulk call costing 100).
                // The emulator enforces no plan, so the pacing is lifted to measure the dispatcher itself.
                "XNovu:Novu:RequestsPerSecond=1000000",
                // Every enterprise's trigger rate; each benchmark enterprise also gets the same as an admin override.
                $"XNovu:RateLimit:TriggersPerSecond={UnlimitedTriggersPerSecond}",
                .. (settings.AppHostArgs ?? string.Empty).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            ],
            cancellationToken);

        var logs = new ResourceLogFiles(settings.LogPath, flushEachLine: false);
        builder.Services.AddLogging(logging => logging
            .ClearProviders()
            .AddFilter(ResourceLogFiles.CategoryPrefix, LogLevel.Trace)
            .AddProvider(logs));

        var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        foreach (var service in new[] { "novu", "api", "dispatcher" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(service, cancellationToken);
        }

        return new BenchmarkApp(
            app,
            logs,
            dataPath,
            keepData,
            app.GetEndpoint("api", "http"),
            app.GetEndpoint("novu", "http"),
            await app.GetConnectionStringAsync("xnovu", cancellationToken) ?? throw new InvalidOperationException("xnovu has no connection string."),
            await app.GetConnectionStringAsync("xnovu-app", cancellationToken) ?? throw new InvalidOperationException("xnovu-app has no connection string."));
    }

    /// <summary>
    /// A client with its own connection pool, large enough for <paramref name="connections"/> callers,
    /// and no retry or resilience handler: a benchmark sees every answer as it is.
    /// </summary>
    public HttpClient CreateClient(Uri baseAddress, int connections, string? bearer = null)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        _clients.Add(client);
        return client;
    }

    /// <summary>Creates an enterprise and an API key through the admin API, and lifts its trigger rate limit.</summary>
    public async Task<BenchEnterprise> CreateEnterpriseAsync(string name, int connections, CancellationToken cancellationToken)
    {
        using var admin = new HttpClient { BaseAddress = ApiUrl };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);

        var created = await admin.PostAsJsonAsync("/api/admin/enterprises", new { name = $"{name} {Guid.NewGuid():N}"[..40] }, cancellationToken);
        await EnsureSuccessAsync(created, "creating an enterprise");
        var id = Guid.Parse((string)(await created.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["id"]!);
        return await OpenEnterpriseAsync(id, connections, cancellationToken);
    }

    /// <summary>An enterprise that exists already (a kept data folder's): a new API key, and its rate limit lifted.</summary>
    public async Task<BenchEnterprise> OpenEnterpriseAsync(Guid id, int connections, CancellationToken cancellationToken)
    {
        using var admin = new HttpClient { BaseAddress = ApiUrl };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var keyAnswer = await admin.PostAsJsonAsync($"/api/admin/enterprises/{id}/api-keys", new { name = "benchmark" }, cancellationToken);
        await EnsureSuccessAsync(keyAnswer, "creating an API key");
        var key = (string)(await keyAnswer.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["key"]!;

        // The admin override is what the trigger endpoints read first, whatever the configuration says.
        var limit = await admin.PutAsJsonAsync($"/api/admin/enterprises/{id}/rate-limit", new { triggersPerSecond = UnlimitedTriggersPerSecond, writesPerSecond = UnlimitedTriggersPerSecond, readsPerSecond = UnlimitedTriggersPerSecond }, cancellationToken);
        await EnsureSuccessAsync(limit, "lifting the rate limit");

        return new BenchEnterprise(id, CreateClient(ApiUrl, connections, key));
    }

    /// <summary>Forgets every event, request, idempotency record and fault of the emulator.</summary>
    public async Task ResetEmulatorAsync(CancellationToken cancellationToken) =>
        await EnsureSuccessAsync(await Novu.DeleteAsync("/emulator/state", cancellationToken), "resetting the emulator");

    public async Task<IReadOnlyList<ReceivedEvent>> EventsAsync(CancellationToken cancellationToken)
    {
        var events = await Novu.GetFromJsonAsync<JsonArray>("/emulator/events", cancellationToken) ?? [];
        return events
            .OfType<JsonObject>()
            .Select(e => new ReceivedEvent(
                (string)e["transactionId"]!,
                DateTimeOffset.Parse((string)e["receivedAt"]!, CultureInfo.InvariantCulture),
                e))
            .ToList();
    }

    /// <summary>
    /// Once the enterprise's deliveries have drained, how long each trigger sent at <paramref name="sentAt"/> took to
    /// reach the emulator (its first event), in milliseconds, in order. A trigger the emulator never received has no
    /// entry: the caller counts those as lost.
    /// </summary>
    public async Task<List<double>> DeliveryLatenciesAsync(
        Guid enterpriseId, IReadOnlyDictionary<string, DateTimeOffset> sentAt, TimeSpan drainTimeout, CancellationToken cancellationToken)
    {
        if (!await WaitForDrainAsync(enterpriseId, drainTimeout, cancellationToken))
        {
            Report.Line($"warning: deliveries still open after {drainTimeout.TotalSeconds:0} s");
        }

        return (await EventsAsync(cancellationToken))
            .Where(e => sentAt.ContainsKey(e.TransactionId))
            .GroupBy(e => e.TransactionId, StringComparer.Ordinal)
            .Select(g => (g.Min(e => e.ReceivedAt) - sentAt[g.Key]).TotalMilliseconds)
            .Order()
            .ToList();
    }

    /// <summary>
    /// Waits until no delivery is pending or in flight (of one enterprise, or of all), so that a phase
    /// starts with idle dispatchers. Answers false when <see cref="BenchmarkSettings.DrainTimeout"/> passed first.
    /// The drain of all (before a measured round) also waits for the emulator's Novu webhooks of the deliveries to
    /// have been taken by the API: each delivery makes two, and a backlog of the last phase's (26,000 after a
    /// history warm-up) was applied during the next round, the benchmark loading the machine it measures.
    /// </summary>
    public async Task<bool> WaitForDrainAsync(Guid? enterpriseId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            if (await OpenDeliveriesAsync(enterpriseId, cancellationToken) == 0
                && (enterpriseId is not null || await PendingWebhooksAsync(cancellationToken) == 0))
            {
                return true;
            }

            // Every 250 ms, not 50: with 43 day partitions the count's planning alone took 17 ms (pg_stat_statements,
            // 244 polls in one dispatch phase), harness load on the machine being measured. Scenarios time their
            // deliveries by the emulator's receipts, not by this poll.
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        return false;
    }

    /// <summary>The emulator's webhooks queued or being sent (<c>GET /emulator/webhooks/pending</c>).</summary>
    public async Task<int> PendingWebhooksAsync(CancellationToken cancellationToken) =>
        (int)(await Novu.GetFromJsonAsync<JsonObject>("/emulator/webhooks/pending", cancellationToken))!["pending"]!;

    public async Task<long> OpenDeliveriesAsync(Guid? enterpriseId, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(OwnerConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand(
            // One count per status, each the predicate of a partial index (ix_delivery_due, ix_delivery_lease_expiry):
            // `status IN (...)` matched neither, and with 36 million deliveries this poll read all of them (18 s, two
            // parallel workers, run back to back) through the very phases it was waiting on.
            """
            SELECT (SELECT count(*) FROM notify.ent_notification_delivery
                    WHERE status = 'PENDING' AND (@enterprise::uuid IS NULL OR enterprise_id = @enterprise::uuid))
                 + (SELECT count(*) FROM notify.ent_notification_delivery
                    WHERE status = 'PROCESSING' AND (@enterprise::uuid IS NULL OR enterprise_id = @enterprise::uuid))
            """,
            connection);
        count.Parameters.Add(new NpgsqlParameter("enterprise", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)enterpriseId ?? DBNull.Value });
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>How many of an enterprise's deliveries ended in each status.</summary>
    public async Task<Dictionary<string, long>> DeliveryStatusesAsync(Guid enterpriseId, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(OwnerConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT status::text, count(*) FROM notify.ent_notification_delivery WHERE enterprise_id = @enterprise GROUP BY status",
            connection);
        command.Parameters.AddWithValue("enterprise", enterpriseId);
        var statuses = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            statuses[reader.GetString(0)] = reader.GetInt64(1);
        }

        return statuses;
    }

    /// <summary>The running replicas of a resource, by resource id, with their process ids.</summary>
    public async Task<List<(string ResourceId, int Pid)>> RunningAsync(string resource, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await foreach (var update in _app.ResourceNotifications.WatchAsync(timeout.Token))
            {
                if (update.Resource.Name == resource
                    && update.Snapshot.State?.Text == Aspire.Hosting.ApplicationModel.KnownResourceStates.Running
                    && update.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid)
                {
                    found[update.ResourceId] = Convert.ToInt32(pid, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // the watch replays the current state first; three seconds are plenty
        }

        return found.Count > 0
            ? found.Select(kv => (kv.Key, kv.Value)).ToList()
            : throw new InvalidOperationException($"No running process of {resource} was found.");
    }

    public async Task<string> PostgresVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(OwnerConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SHOW server_version", connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task EnsureSuccessAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        }
    }

    /// <summary>Stops the app (once: a command may stop it early and leave its <c>await using</c> to call this again).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _logs.Dispose();
        if (_keepData)
        {
            return;
        }

        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // a server still closing its files; the folder is in the temp directory
        }
        catch (UnauthorizedAccessException)
        {
            // files owned by the postgres user when run as root; the folder is in the temp directory
        }
    }
}
