using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Dispatch;

[Collection(AppCollection.Name)]
public sealed class DefinitionChangeTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task Enterprise_workflow_renders_its_own_template_and_a_published_change_reaches_the_dispatchers()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var templateKey = Key("cache-tpl");
        var workflowKey = Key("cache-wf");
        await enterprise.Client.CreateAsync("/api/templates", Template(templateKey, "EMAIL", body: "Body v1", subject: "v1 {{ payload.name }}"));
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/templates/{templateKey}/publish");
        await enterprise.Client.CreateAsync("/api/workflows", Workflow(workflowKey, ["EMAIL"], new() { ["EMAIL"] = templateKey }));
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflowKey}/publish");

        var first = await SendAndReadSubjectAsync(enterprise.Id, workflowKey);
        await enterprise.Client.OkAsync(HttpMethod.Put, $"/api/templates/{templateKey}", Template(templateKey, "EMAIL", body: "Body v2", subject: "v2 {{ payload.name }}"));
        // An edit is a draft (issue 30): what is sent changes when the draft is published.
        var draftOnly = await SendAndReadSubjectAsync(enterprise.Id, workflowKey);
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/templates/{templateKey}/publish");
        var second = await SendAndReadSubjectAsync(enterprise.Id, workflowKey);

        Assert.Equal("v1 Ann", first);
        Assert.Equal("v1 Ann", draftOnly);
        Assert.Equal("v2 Ann", second);
    }

    private async Task<string> SendAndReadSubjectAsync(Guid enterpriseId, string workflowKey)
    {
        var (id, transactionId) = await Harness.InsertNotificationAsync(enterpriseId, workflowKey, """{"name":"Ann"}""", """["cache-sub"]""");
        await Harness.WaitForStatusAsync(id, "SENT");
        var received = Assert.Single(await Harness.EventsAsync(transactionId))!;
        return (string)received["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["subject"]!;
    }
}
