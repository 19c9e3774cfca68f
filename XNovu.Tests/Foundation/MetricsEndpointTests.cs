using System.Net;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Foundation;

[Collection(AppCollection.Name)]
public sealed class MetricsEndpointTests(XNovuAppFixture fixture)
{
    [Theory]
    [InlineData("api")]
    [InlineData("dispatcher")]
    public async Task Service_serves_prometheus_text_at_metrics(string service)
    {
        using var client = fixture.CreateHttpClient(service);

        var answer = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await answer.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("# TYPE ", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_", text, StringComparison.Ordinal);
    }
}
