using System.Net;
using Xunit.Abstractions;
using XNovu.Testing.ProductionRun;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Deployment;

/// <summary>
/// Issue 31, item 3: the production-shaped run (published services, the Kubernetes base's environment) with every
/// service behind Debian's PgBouncer in transaction mode. Nothing in the services changes: the server address names
/// the pooler with <c>Max Auto Prepare=0</c>, and the dispatchers LISTEN on the server directly.
/// </summary>
[Collection(PublishedServicesCollection.Name)]
public sealed class PgBouncerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Behind_PgBouncer_in_transaction_mode_a_trigger_is_SENT()
    {
        var result = await ProductionShapedRun.RunAsync(
            new ProductionRunOptions { Configuration = RepositoryPaths.Configuration, NoBuild = true, ThroughPgBouncer = true, Timeout = TimeSpan.FromMinutes(15) },
            output.WriteLine,
            CancellationToken.None);

        Assert.Equal("SENT", result.TriggerStatus);
        Assert.Equal(HttpStatusCode.Created, result.AdminKey);
        Assert.All(result.Probes, probe => Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), probe.Value));
        Assert.Equal(HttpStatusCode.OK, result.ConsoleSignIn);
    }
}
