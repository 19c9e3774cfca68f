using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using XNovu.Tests.Rules;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Rules;

/// <summary>How hard one enterprise's rules and events may drive the system.</summary>
[Collection(AppCollection.Name)]
public sealed class RuleLimitTests(XNovuAppFixture fixture)
{
    private const string RateLimitedType = "https://xnovu.dev/problems/rate-limited";

    [Theory]
    [InlineData("* * * * * *")]
    [InlineData("*/30 * * * * *")]
    [InlineData("0,10 * * * * *")]
    public async Task Cron_more_frequent_than_a_minute_is_422_unless_the_admin_allows_it_for_that_enterprise(string cron)
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await enterprise.Client.WorkflowAsync();

        var refused = await enterprise.Client.SendAsync(HttpMethod.Post, "/api/rules", CronRule(workflow, cron));

        var errors = await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Contains("once every 60 s", errors.FieldError("triggerConfig.cron"), StringComparison.Ordinal);
        Assert.Empty(await enterprise.Client.ListAsync("/api/rules"));

        await fixture.AllowSubMinuteCronAsync(enterprise.Id);
        await enterprise.Client.CreateAsync("/api/rules", CronRule(workflow, cron));
    }

    [Fact]
    public async Task Cron_every_minute_or_slower_is_accepted_by_default()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var workflow = await client.WorkflowAsync();

        await client.CreateAsync("/api/rules", CronRule(workflow, "* * * * *"));
        await client.CreateAsync("/api/rules", CronRule(workflow, "0 */2 * * * *"));
    }

    [Fact]
    public async Task Events_count_against_the_trigger_rate_once_per_notification_created()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        (await admin.PutAsJsonAsync($"/api/admin/enterprises/{enterprise.Id}/rate-limit", new { triggersPerSecond = 2 })).EnsureSuccessStatusCode();
        var workflow = await enterprise.Client.WorkflowAsync(publish: true);
        var pair = Key("pair");
        var triple = Key("triple");
        foreach (var name in new[] { pair, pair, triple, triple, triple })
        {
            await RuleHarness.PublishedRuleAsync(enterprise.Client, workflow, "EVENT", new { eventName = name });
        }

        // Three notifications can never fit in a bucket of two per second.
        var tooMany = await enterprise.Client.PostAsJsonAsync("/api/events", new { name = triple });
        await tooMany.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);

        // Six events of two notifications each, at once: the bucket grants two notifications per second, so
        // some are refused with 429, and every accepted event made exactly its two.
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => enterprise.Client.PostAsJsonAsync("/api/events", new { name = pair })));

        var accepted = answers.Count(a => a.StatusCode == HttpStatusCode.Accepted);
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(6, accepted + refused.Count);
        Assert.NotEmpty(refused);
        await refused[0].AssertProblemAsync(HttpStatusCode.TooManyRequests, RateLimitedType);
        Assert.NotNull(refused[0].Headers.RetryAfter);
        Assert.Equal(2 * accepted, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task An_event_fanning_out_past_the_cap_is_422_and_stores_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await enterprise.Client.WorkflowAsync(publish: true);
        var name = Key("storm");
        var recipients = Enumerable.Range(0, 100).Select(i => $"storm-{i}").ToArray();
        for (var i = 0; i < 11; i++)
        {
            await RuleHarness.PublishedRuleAsync(enterprise.Client, workflow, "EVENT", new { eventName = name }, new { recipients, payload = new { name = "Ada" } });
        }

        var answer = await enterprise.Client.PostAsJsonAsync("/api/events", new { name });

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Contains("1100 deliveries", errors.FieldError("name"), StringComparison.Ordinal);
        Assert.Equal(0, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task One_nul_in_one_bulk_event_is_that_events_400_and_the_others_are_accepted()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var body = """
            {"events":[
              {"workflowId":"default-email","to":"a","payload":{"subject":"s","body":"b"}},
              {"workflowId":"default-email","to":"b","payload":{"subject":"s\u0000","body":"b"}},
              {"workflowId":"default-email","to":"c","payload":{"subject":"s","body":"b"}}]}
            """;

        var answer = await client.SendRawAsync(HttpMethod.Post, "/api/trigger/bulk", body);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var result = await answer.ReadObjectAsync();
        Assert.Equal(2, (int)result["accepted"]!);
        Assert.Equal(1, (int)result["rejected"]!);
        var rejected = result["results"]![1]!;
        Assert.Equal(400, (int)rejected["status"]!);
        Assert.NotNull(rejected["error"]!["errors"]!["payload.subject"]);
    }

    [Theory]
    [InlineData("/api/templates", """{"templateKey":"k-long","name":"NAME","channelType":"EMAIL","bodyTemplate":"b"}""", "name", 201)]
    [InlineData("/api/templates", """{"templateKey":"k-long","name":"n","description":"NAME","channelType":"EMAIL","bodyTemplate":"b"}""", "description", 2001)]
    [InlineData("/api/workflows", """{"workflowKey":"KEY","name":"n"}""", "workflowKey", 101)]
    [InlineData("/api/rules", """{"name":"n","description":"NAME","workflowKey":"w","triggerType":"EVENT","triggerConfig":{"eventName":"e"}}""", "description", 2001)]
    [InlineData("/api/categories", """{"code":"KEY","name":"n"}""", "code", 101)]
    [InlineData("/api/templates/preview", """{"channelType":"EMAIL","bodyTemplate":"NAME"}""", "bodyTemplate", 256 * 1024 + 1)]
    public async Task A_value_over_its_length_limit_is_422_naming_the_field(string url, string template, string field, int length)
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var json = template.Replace("NAME", new string('n', length), StringComparison.Ordinal).Replace("KEY", new string('k', length), StringComparison.Ordinal);

        var answer = await client.SendRawAsync(HttpMethod.Post, url, json);

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Contains("at most", errors.FieldError(field), StringComparison.Ordinal);
    }
}
