using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using XNovu.Testing.ProductionRun;

namespace XNovu.Tests.Infrastructure;

/// <summary>
/// A second API process beside the AppHost's <c>api</c>: the same build, started with the environment DCP gave the
/// running one (its database login, Redis, Novu, admin key), on a port of its own. Two API replicas against one
/// database, as a deployment runs them; the AppHost's own <c>api</c> listens without DCP's proxy, which a replicated
/// resource cannot do, so the second one is started here.
/// </summary>
public sealed class ApiReplica : IAsyncDisposable
{
    private readonly RunProcess _process;

    private ApiReplica(RunProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public HttpClient CreateHttpClient(string bearer) => new HttpClient { BaseAddress = BaseAddress }.WithBearer(bearer);

    public static async Task<ApiReplica> StartAsync(XNovuAppFixture fixture, TimeSpan timeout)
    {
        var snapshot = await RunningApiAsync(fixture, timeout);
        var environment = snapshot.EnvironmentVariables
            .Where(v => v.Value is not null && v.Name is not ("ASPNETCORE_URLS" or "HTTP_PORTS" or "ASPNETCORE_HTTP_PORTS" or "HTTPS_PORTS" or "ASPNETCORE_HTTPS_PORTS"))
            .ToDictionary(v => v.Name, v => v.Value!, StringComparer.Ordinal);
        var port = LocalServers.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}");
        environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        environment["OTEL_SERVICE_INSTANCE_ID"] = "api-replica";

        var project = Path.GetDirectoryName(Property(snapshot, "project.path"))!;
        var assembly = Directory.GetFiles(Path.Combine(project, "bin"), "XNovu.Api.dll", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}publish{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .First();
        Directory.CreateDirectory(fixture.LogPath);
        var process = RunProcess.Start("api-replica", "dotnet", [assembly], environment, fixture.LogPath, Path.GetDirectoryName(assembly));
        var replica = new ApiReplica(process, url);
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/alive")).IsSuccessStatusCode)
                {
                    return replica;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // starting under load
            }

            if (process.HasExited || clock.Elapsed > timeout)
            {
                await replica.DisposeAsync();
                throw new InvalidOperationException($"The second API did not answer /alive within {timeout} (see {fixture.LogPath}/api-replica.log).");
            }

            await Task.Delay(250);
        }
    }

    private static async Task<CustomResourceSnapshot> RunningApiAsync(XNovuAppFixture fixture, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await foreach (var update in fixture.App.ResourceNotifications.WatchAsync(cancel.Token))
        {
            if (update.Resource.Name == "api" && update.Snapshot.State?.Text == KnownResourceStates.Running
                && update.Snapshot.EnvironmentVariables.Length > 0 && update.Snapshot.Properties.Any(p => p.Name == "project.path"))
            {
                return update.Snapshot;
            }
        }

        throw new InvalidOperationException("The api resource is not running.");
    }

    private static string Property(CustomResourceSnapshot snapshot, string name) =>
        snapshot.Properties.First(p => p.Name == name).Value?.ToString() ?? throw new InvalidOperationException($"api has no {name}.");

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
