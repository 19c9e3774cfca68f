using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using XNovu.Testing;

namespace XNovu.Tests.Infrastructure;

/// <summary>
/// Starts the real AppHost once for every integration test, in Local mode (the machine's own PostgreSQL
/// and a Redis-protocol server as executables) with a fresh data folder, and waits until the services
/// are healthy. Starting it costs tens of seconds on two cores, so it is shared.
/// </summary>
public class XNovuAppFixture : IAsyncLifetime
{
    public const string AdminKey = "test-admin-key";
    public const int LeaseSeconds = 5;
    public const string AllowedOrigin = "https://console.example.test";
    public static readonly TimeSpan ReconcilePeriod = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    public string DataPath { get; } = Path.Combine(Path.GetTempPath(), $"xnovu-tests-{Guid.NewGuid():N}"[..24]);

    /// <summary>Settings a fixture of its own adds to (or overrides in) the shared ones, as <c>name=value</c>.</summary>
    protected virtual IEnumerable<string> ExtraSettings => [];

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.XNovu_AppHost>(
            [
                "XNovu:Infrastructure=Local",
                $"XNovu:Local:DataPath={DataPath}",
                $"Parameters:xnovu-admin-key={AdminKey}",
                "Parameters:novu-secret-key=",
                // Two dispatchers share the queue in every test, and a crashed one's work is taken over fast.
                "XNovu:DispatcherReplicas=2",
                $"XNovu:Dispatcher:LeaseSeconds={LeaseSeconds}",
                // The reconciler repairs Novu within seconds, so a test can watch it do so.
                $"XNovu:NovuSync:ReconcilePeriod={ReconcilePeriod}",
                "XNovu:NovuSync:PollInterval=00:00:00.500",
                // One browser origin may call the API, so CORS is tested granting as well as refusing.
                $"XNovu:Cors:AllowedOrigins:0={AllowedOrigin}",
                // Outbound webhooks retry within seconds (the published schedule is hours), so a test can watch it.
                "XNovu:Webhooks:RetrySchedule:0=00:00:00",
                "XNovu:Webhooks:RetrySchedule:1=00:00:00.500",
                "XNovu:Webhooks:RetrySchedule:2=00:00:00.500",
                "XNovu:Webhooks:RetrySchedule:3=00:00:00.500",
                "XNovu:Webhooks:RetrySchedule:4=00:00:00.500",
                "XNovu:Webhooks:PollInterval=00:00:00.200",
                // Novu environments without webhooks are asked about a delivery a second after it was sent, not minutes.
                "XNovu:DeliveryPoll:After=00:00:01",
                "XNovu:DeliveryPoll:Interval=00:00:00.500",
                "XNovu:DeliveryPoll:Wait=00:00:01",
                .. ExtraSettings,
            ],
            timeout.Token);

        // The test builder runs no dashboard, yet Aspire still points every service's OTLP exporter at the
        // dashboard's default address, where nothing listens: each process then spent its exporter's whole timeout
        // (10 s, retrying in memory) flushing at exit, so the migrations took 10 s longer to complete, and every
        // service stopped by a test or at the end did too. No test reads the exported telemetry.
        foreach (var resource in builder.Resources.OfType<IResourceWithEnvironment>())
        {
            resource.Annotations.Add(new EnvironmentCallbackAnnotation(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }

        builder.Services.AddLogging(logging => logging
            .AddFilter(ResourceLogFiles.CategoryPrefix, LogLevel.Trace)
            .AddProvider(new ResourceLogFiles(LogPath)));
        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        foreach (var service in new[] { "novu", "api", "dispatcher" })
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token);
        }
    }

    /// <summary>Every service's console output, one file per resource, for diagnosis and for log scans.</summary>
    public string LogPath { get; } = Path.Combine(Path.GetTempPath(), "xnovu-test-logs", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));

    public HttpClient CreateHttpClient(string resource) => App.CreateHttpClient(resource);

    public async Task<string> ConnectionStringAsync(string resource) =>
        await App.GetConnectionStringAsync(resource)
        ?? throw new InvalidOperationException($"{resource} has no connection string.");

    /// <summary>An open connection to the <c>xnovu</c> database as its owner (no row-level security): for a test's own reads and writes.</summary>
    public async Task<NpgsqlConnection> OpenOwnerConnectionAsync()
    {
        var connection = new NpgsqlConnection(await ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        return connection;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // a server still closing its files; the folder is in /tmp
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<XNovuAppFixture>
{
    public const string Name = "XNovu app";
}
