using System.Net;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Operations;

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

    [Fact]
    public async Task Prometheus_text_carries_no_workflow_key_a_tenant_chose()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await enterprise.Client.WorkflowAsync(publish: true);
        await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, TriggerApi.Subscriber()));
        using var api = fixture.CreateHttpClient("api");

        var text = await api.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("xnovu_triggers", text, StringComparison.Ordinal);
        Assert.DoesNotContain(workflow, text, StringComparison.Ordinal);
        Assert.DoesNotContain("xnovu_workflow=", text, StringComparison.Ordinal);
    }
}
