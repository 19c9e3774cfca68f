using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Tenancy;

/// <summary>Enterprise B's key against every one of enterprise A's management resources, for every verb.</summary>
[Collection(AppCollection.Name)]
public sealed class CrossTenantTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Another_enterprises_key_gets_404_for_every_verb_on_templates_workflows_rules_and_categories_and_they_are_unchanged()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        var secret = $"A-only-{Guid.NewGuid():N}";
        var category = Key("cat");
        await a.Client.CreateAsync("/api/categories", new { code = category, name = secret });
        var template = Key("tpl");
        await a.Client.CreateAsync("/api/templates", Template(template, body: secret, categoryCode: category, name: secret));
        await a.Client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/publish");
        var workflow = Key("wf");
        await a.Client.CreateAsync("/api/workflows", Workflow(workflow, ["EMAIL"], new() { ["EMAIL"] = template }, name: secret));
        var rule = (long)(await a.Client.CreateAsync("/api/rules", CronRule(workflow, name: secret)))["id"]!;
        var before = await SnapshotAsync(a.Client, template, workflow, rule, category);
        // B owns a workflow so that a rule body from B is valid apart from the target it names.
        var bWorkflow = await b.Client.WorkflowAsync();

        var attempts = new (HttpMethod Method, string Url, object? Body)[]
        {
            (HttpMethod.Get, $"/api/templates/{template}", null),
            (HttpMethod.Put, $"/api/templates/{template}", Template(template, name: "taken over")),
            (HttpMethod.Post, $"/api/templates/{template}/publish", null),
            (HttpMethod.Post, $"/api/templates/{template}/unpublish", null),
            (HttpMethod.Post, $"/api/templates/{template}/deactivate", null),
            (HttpMethod.Get, $"/api/workflows/{workflow}", null),
            (HttpMethod.Put, $"/api/workflows/{workflow}", Workflow(workflow, name: "taken over")),
            (HttpMethod.Post, $"/api/workflows/{workflow}/publish", null),
            (HttpMethod.Post, $"/api/workflows/{workflow}/unpublish", null),
            (HttpMethod.Post, $"/api/workflows/{workflow}/deactivate", null),
            (HttpMethod.Get, $"/api/rules/{rule}", null),
            (HttpMethod.Put, $"/api/rules/{rule}", CronRule(bWorkflow, name: "taken over")),
            (HttpMethod.Post, $"/api/rules/{rule}/publish", null),
            (HttpMethod.Post, $"/api/rules/{rule}/unpublish", null),
            (HttpMethod.Post, $"/api/rules/{rule}/deactivate", null),
            (HttpMethod.Get, $"/api/categories/{category}", null),
            (HttpMethod.Put, $"/api/categories/{category}", new { name = "taken over" }),
            (HttpMethod.Delete, $"/api/categories/{category}", null),
        };

        foreach (var (method, url, body) in attempts)
        {
            var answer = await b.Client.SendAsync(method, url, body);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"{method} {url}: {(int)answer.StatusCode} {text}");
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Equal(before, await SnapshotAsync(a.Client, template, workflow, rule, category));
    }

    [Fact]
    public async Task Another_enterprises_resources_are_absent_from_lists_and_unknown_as_references()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        var category = Key("cat");
        await a.Client.CreateAsync("/api/categories", new { code = category, name = "A's" });
        var template = await a.Client.PublishedTemplateAsync("EMAIL");
        var workflow = Key("wf");
        await a.Client.CreateAsync("/api/workflows", Workflow(workflow, ["EMAIL"], new() { ["EMAIL"] = template }));
        await a.Client.CreateAsync("/api/rules", CronRule(workflow));

        var bTemplates = await b.Client.ListAsync("/api/templates");
        var bWorkflows = await b.Client.ListAsync("/api/workflows");
        var bRules = await b.Client.ListAsync("/api/rules");
        var withA_Category = await b.Client.SendAsync(HttpMethod.Post, "/api/templates", Template(Key("tpl"), categoryCode: category));
        var bWorkflow = Key("wf");
        await b.Client.CreateAsync("/api/workflows", Workflow(bWorkflow, ["EMAIL"], new() { ["EMAIL"] = template }));
        var publishWithA_Template = await b.Client.SendAsync(HttpMethod.Post, $"/api/workflows/{bWorkflow}/publish");
        var ruleOnA_Workflow = await b.Client.SendAsync(HttpMethod.Post, "/api/rules", CronRule(workflow));
        var previewA_Template = await b.Client.SendAsync(HttpMethod.Post, "/api/templates/preview", new { templateKey = template });

        Assert.Empty(bTemplates);
        Assert.DoesNotContain(workflow, bWorkflows.Strings("workflowKey"));
        Assert.Empty(bRules);
        Assert.NotNull((await withA_Category.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["categoryCode"]);
        Assert.Contains("does not exist", (await publishWithA_Template.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))
            .FieldError("templateOverrides.EMAIL"), StringComparison.Ordinal);
        Assert.NotNull((await ruleOnA_Workflow.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["workflowKey"]);
        Assert.NotNull((await previewA_Template.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["templateKey"]);
    }

    [Fact]
    public async Task Another_enterprises_key_cannot_read_change_or_target_subscribers_and_topics()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        var secret = $"A-only-{Guid.NewGuid():N}";
        var subscriber = Key("sub");
        var topic = Key("topic");
        Assert.Equal(HttpStatusCode.Created, (await a.Client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { firstName = secret, email = "a@example.com" })).StatusCode);
        await a.Client.CreateAsync("/api/topics", new { topicKey = topic, name = secret });
        await a.Client.OkAsync(HttpMethod.Post, $"/api/topics/{topic}/subscribers", new { subscriberIds = new[] { subscriber } });
        var before = await SubscriberSnapshotAsync(a.Client, subscriber, topic);

        var attempts = new (HttpMethod Method, string Url, object? Body)[]
        {
            (HttpMethod.Get, $"/api/subscribers/{subscriber}", null),
            (HttpMethod.Patch, $"/api/subscribers/{subscriber}", new { firstName = "taken over" }),
            (HttpMethod.Delete, $"/api/subscribers/{subscriber}", null),
            (HttpMethod.Get, $"/api/subscribers/{subscriber}/export", null),
            (HttpMethod.Post, $"/api/subscribers/{subscriber}/erase", null),
            (HttpMethod.Get, $"/api/topics/{topic}", null),
            (HttpMethod.Get, $"/api/topics/{topic}/subscribers", null),
            (HttpMethod.Post, $"/api/topics/{topic}/subscribers", new { subscriberIds = new[] { "intruder" } }),
            (HttpMethod.Post, $"/api/topics/{topic}/subscribers/removal", new { subscriberIds = new[] { subscriber } }),
            (HttpMethod.Delete, $"/api/topics/{topic}/subscribers/{subscriber}", null),
            (HttpMethod.Delete, $"/api/topics/{topic}", null),
        };

        foreach (var (method, url, body) in attempts)
        {
            var answer = await b.Client.SendAsync(method, url, body);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode is HttpStatusCode.NotFound, $"{method} {url}: {(int)answer.StatusCode} {text}");
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        // B's own subscriber of the same id is B's alone; B's lists never show A's; B cannot trigger A's topic.
        var bSame = await b.Client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { firstName = "B's" });
        var bList = await b.Client.OkAsync(HttpMethod.Get, $"/api/subscribers?search={secret}");
        var bTopics = await b.Client.OkAsync(HttpMethod.Get, "/api/topics");
        var bTrigger = await b.Client.PostAsJsonAsync("/api/trigger", new { workflowId = "default-email", to = new { type = "Topic", topicKey = topic }, payload = new { subject = "s", body = "b" } });

        Assert.Equal(HttpStatusCode.Created, bSame.StatusCode);
        Assert.Empty(bList["items"]!.AsArray());
        Assert.DoesNotContain(topic, bTopics["items"]!.AsArray().Strings("topicKey"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bTrigger.StatusCode);
        Assert.Equal(before, await SubscriberSnapshotAsync(a.Client, subscriber, topic));
    }

    private static async Task<string> SubscriberSnapshotAsync(HttpClient client, string subscriber, string topic)
    {
        var parts = new JsonArray();
        foreach (var url in new[] { $"/api/subscribers/{subscriber}", $"/api/topics/{topic}", $"/api/topics/{topic}/subscribers" })
        {
            parts.Add(await client.OkAsync(HttpMethod.Get, url));
        }

        return parts.ToJsonString();
    }

    [Fact]
    public async Task Management_endpoints_without_a_key_are_401()
    {
        using var anonymous = fixture.CreateHttpClient("api");

        foreach (var url in new[] { "/api/templates", "/api/workflows", "/api/workflows/stats", "/api/rules", "/api/workflows/default-email", "/api/subscribers", "/api/topics" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url)).StatusCode);
        }
    }

    private static async Task<string> SnapshotAsync(HttpClient client, string template, string workflow, long rule, string category)
    {
        var parts = new JsonArray();
        foreach (var url in new[] { $"/api/templates/{template}", $"/api/workflows/{workflow}", $"/api/rules/{rule}", $"/api/categories/{category}" })
        {
            var resource = await client.OkAsync(HttpMethod.Get, url);
            // The Novu sync moves on its own (pending, then synced) while the test runs; it is not B's doing.
            // A change B could make (a publish, a new definition) shows in the status, the times and the fields.
            resource.Remove("novuSync");
            parts.Add(resource);
        }

        return parts.ToJsonString();
    }
}
