using System.Net;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Workflows;

[Collection(AppCollection.Name)]
public sealed class StaticWorkflowTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Static_workflows_are_listed_and_readable_by_every_enterprise_as_static_and_published()
    {
        foreach (var enterprise in new[] { await fixture.CreateEnterpriseAsync(), await fixture.CreateEnterpriseAsync() })
        {
            var listed = await enterprise.Client.ListAsync("/api/workflows");
            var staticOnly = await enterprise.Client.ListAsync("/api/workflows?workflowType=STATIC");

            Assert.Equal(StaticWorkflowKeys.Order(StringComparer.Ordinal), listed.Strings("workflowKey").Order(StringComparer.Ordinal));
            Assert.Equal(listed.ToJsonString(), staticOnly.ToJsonString());
            foreach (var key in StaticWorkflowKeys)
            {
                var workflow = await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}");
                Assert.Equal("STATIC", (string?)workflow["workflowType"]);
                Assert.Equal("PUBLISH", (string?)workflow["publishStatus"]);
                Assert.Null(workflow["id"]);
                Assert.NotEmpty(workflow["defaultChannels"]!.AsArray());
                Assert.Equal("object", (string?)workflow["payloadSchema"]!["type"]);
            }
        }
    }

    [Theory]
    [InlineData("default-email", "EMAIL")]
    [InlineData("default-in-app", "IN_APP")]
    [InlineData("default-sms", "SMS")]
    [InlineData("default-push", "PUSH")]
    [InlineData("default-chat", "CHAT")]
    public async Task Each_channel_has_a_default_static_workflow_served_by_a_template_of_that_channel(string key, string channel)
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var workflow = await client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}");

        Assert.Equal([channel], workflow["defaultChannels"]!.AsArray().Select(c => (string)c!));
        Assert.Equal(key, (string?)workflow["templateOverrides"]![channel]);
    }

    [Fact]
    public async Task Multi_channel_static_workflow_names_a_template_for_each_of_its_channels()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var workflow = await client.OkAsync(HttpMethod.Get, "/api/workflows/default-multi-channel");

        var channels = workflow["defaultChannels"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.True(channels.Count >= 2);
        Assert.All(channels, channel => Assert.NotNull(workflow["templateOverrides"]![channel]));
    }

    [Fact]
    public async Task Static_workflow_cannot_be_updated_published_unpublished_or_deactivated_and_is_unchanged()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var before = await client.OkAsync(HttpMethod.Get, "/api/workflows/default-email");

        foreach (var (method, url, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Put, "/api/workflows/default-email", Workflow("default-email", ["EMAIL"])),
            (HttpMethod.Post, "/api/workflows/default-email/publish", null),
            (HttpMethod.Post, "/api/workflows/default-email/unpublish", null),
            (HttpMethod.Post, "/api/workflows/default-email/deactivate", null),
        })
        {
            var answer = await client.SendAsync(method, url, body);
            await answer.AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);
        }

        Assert.Equal(before.ToJsonString(), (await client.OkAsync(HttpMethod.Get, "/api/workflows/default-email")).ToJsonString());
    }

    [Fact]
    public async Task Dynamic_workflow_with_a_static_key_shadows_it_for_its_own_enterprise_only()
    {
        var owner = (await fixture.CreateEnterpriseAsync()).Client;
        var other = (await fixture.CreateEnterpriseAsync()).Client;

        await owner.CreateAsync("/api/workflows", Workflow("default-sms", name: "Our own SMS"));
        var ownView = await owner.OkAsync(HttpMethod.Get, "/api/workflows/default-sms");
        var ownList = await owner.ListAsync("/api/workflows");
        var renamed = await owner.OkAsync(HttpMethod.Put, "/api/workflows/default-sms", Workflow("default-sms", name: "Renamed SMS"));
        var otherView = await other.OkAsync(HttpMethod.Get, "/api/workflows/default-sms");

        Assert.Equal("DYNAMIC", (string?)ownView["workflowType"]);
        Assert.Equal("Our own SMS", (string?)ownView["name"]);
        Assert.Single(ownList, w => (string?)w!["workflowKey"] == "default-sms");
        Assert.Equal("Renamed SMS", (string?)renamed["name"]);
        Assert.Equal("STATIC", (string?)otherView["workflowType"]);
    }

    [Fact]
    public async Task Static_template_can_be_previewed_by_key_with_a_sample_payload()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var preview = await client.OkAsync(HttpMethod.Post, "/api/templates/preview",
            new { templateKey = "default-email", payload = new { subject = "Invoice ready", body = "Your invoice is ready." } });

        Assert.Equal("Invoice ready", (string?)preview["subject"]);
        Assert.Contains("Your invoice is ready.", (string?)preview["body"], StringComparison.Ordinal);
    }
}
