using System.Net;
using Xunit.Abstractions;
using XNovu.Testing.ProductionRun;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Deployment;

/// <summary>
/// Issue 27, item 3: the services as a deployment runs them, with no AppHost. The run publishes this test's own build
/// (<c>--no-build</c>), so it costs the starts, not a build; <c>dotnet run --project XNovu.Benchmarks -- production-run</c>
/// does the same from a fresh Release build.
/// </summary>
[Collection(PublishedServicesCollection.Name)]
public sealed class ProductionShapedRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Published_services_configured_only_as_the_Kubernetes_base_configures_them_deliver_a_trigger()
    {
        var result = await ProductionShapedRun.RunAsync(
            new ProductionRunOptions { Configuration = RepositoryPaths.Configuration, NoBuild = true, Timeout = TimeSpan.FromMinutes(6) },
            output.WriteLine,
            CancellationToken.None);

        Assert.Equal("SENT", result.TriggerStatus);
        Assert.Equal(HttpStatusCode.Created, result.AdminKey);
        Assert.Equal(["api-0", "api-1", "console", "dispatcher-0", "dispatcher-1"], result.Probes.Keys.Order());
        Assert.All(result.Probes, probe => Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), probe.Value));

        // Development-only surfaces are off: the development admin key, the emulator's inspection pages.
        Assert.Equal(HttpStatusCode.Unauthorized, result.DevelopmentAdminKey);
        Assert.Equal(HttpStatusCode.NotFound, result.EmulatorInspection);
        // The console serves its pages from the published output (static assets included) in Production.
        Assert.Equal(HttpStatusCode.OK, result.ConsoleSignIn);
    }
}
