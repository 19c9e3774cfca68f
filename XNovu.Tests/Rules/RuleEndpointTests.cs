using System.Net;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Rules;

[Collection(AppCollection.Name)]
public sealed class RuleEndpointTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Rule_is_created_read_listed_updated_published_unpublished_and_deactivated_in_two_enterprises()
    {
        foreach (var enterprise in new[] { await fixture.CreateEnterpriseAsync(), await fixture.CreateEnterpriseAsync() })
        {
            var client = enterprise.Client;
            var workflow = await client.WorkflowAsync(publish: true);

            var created = await client.CreateAsync("/api/rules", CronRule(workflow));
            var id = (long)created["id"]!;
            var read = await client.OkAsync(HttpMethod.Get, $"/api/rules/{id}");
            var listed = await client.ListAsync($"/api/rules?workflowKey={workflow}&triggerType=CRON");
            var updated = await client.OkAsync(HttpMethod.Put, $"/api/rules/{id}", new
            {
                name = "On signup",
                workflowKey = workflow,
                triggerType = "EVENT",
                triggerConfig = new { eventName = "user.signed-up" },
            });
            var published = await client.OkAsync(HttpMethod.Post, $"/api/rules/{id}/publish");
            var unpublished = await client.OkAsync(HttpMethod.Post, $"/api/rules/{id}/unpublish");
            var deactivated = await client.OkAsync(HttpMethod.Post, $"/api/rules/{id}/deactivate");

            Assert.Equal(workflow, (string?)created["workflowKey"]);
            Assert.Equal("DRAFT", (string?)created["publishStatus"]);
            Assert.Equal("*/5 * * * *", (string?)read["triggerConfig"]!["cron"]);
            Assert.Equal("Europe/Paris", (string?)read["triggerConfig"]!["timezone"]);
            Assert.Equal("Ada", (string?)read["rulePayload"]!["payload"]!["name"]);
            Assert.Equal([id], listed.Select(r => (long)r!["id"]!));
            Assert.Equal("EVENT", (string?)updated["triggerType"]);
            Assert.Equal("user.signed-up", (string?)updated["triggerConfig"]!["eventName"]);
            Assert.Equal("PUBLISH", (string?)published["publishStatus"]);
            Assert.Equal("DRAFT", (string?)unpublished["publishStatus"]);
            Assert.True((bool)deactivated["deactivated"]!);
        }
    }

    [Fact]
    public async Task Cron_rule_is_stored_with_its_defaults_utc_enabled_and_fire_once()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await fixture.AllowSubMinuteCronAsync(enterprise.Id);
        var client = enterprise.Client;
        var workflow = await client.WorkflowAsync();

        var created = await client.CreateAsync("/api/rules", new
        {
            name = "Every ten seconds",
            workflowKey = workflow,
            triggerType = "CRON",
            triggerConfig = new { cron = "*/10 * * * * *" },
        });

        var config = created["triggerConfig"]!;
        Assert.Equal("*/10 * * * * *", (string?)config["cron"]);
        Assert.Equal("UTC", (string?)config["timezone"]);
        Assert.True((bool)config["enabled"]!);
        Assert.Equal("fireOnce", (string?)config["misfirePolicy"]);
    }

    [Fact]
    public async Task Schedule_rule_stores_its_instant_in_utc()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var workflow = await client.WorkflowAsync();

        var created = await client.CreateAsync("/api/rules", new
        {
            name = "Once",
            workflowKey = workflow,
            triggerType = "SCHEDULE",
            triggerConfig = new { at = "2030-01-31T10:00:00+01:00" },
        });

        Assert.Equal("2030-01-31T09:00:00Z", (string?)created["triggerConfig"]!["at"]);
    }

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("* * *")]
    [InlineData("* * * * * * *")]
    [InlineData("every monday")]
    public async Task Rule_with_an_invalid_cron_is_422_on_the_cron_field_and_nothing_is_written(string cron)
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var workflow = await client.WorkflowAsync();

        var answer = await client.SendAsync(HttpMethod.Post, "/api/rules", CronRule(workflow, cron));

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.NotNull(errors["triggerConfig.cron"]);
        Assert.Empty(await client.ListAsync("/api/rules"));
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Europe/Pariss")]
    public async Task Rule_with_an_unknown_time_zone_is_422_on_the_timezone_field_and_nothing_is_written(string timezone)
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var workflow = await client.WorkflowAsync();

        var answer = await client.SendAsync(HttpMethod.Post, "/api/rules", CronRule(workflow, timezone: timezone));

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Contains(timezone, errors.FieldError("triggerConfig.timezone"), StringComparison.Ordinal);
        Assert.Empty(await client.ListAsync("/api/rules"));
    }

    [Fact]
    public async Task Rule_for_a_workflow_the_enterprise_does_not_have_is_422_and_nothing_is_written()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var answer = await client.SendAsync(HttpMethod.Post, "/api/rules", CronRule(Key("wf-none")));

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.NotNull(errors["workflowKey"]);
        Assert.Empty(await client.ListAsync("/api/rules"));
    }

    [Fact]
    public async Task Rule_with_bad_trigger_settings_is_422_naming_each_field_and_nothing_is_written()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var workflow = await client.WorkflowAsync();

        var cases = new (string Json, string Field)[]
        {
            ($$$"""{"name": "r", "workflowKey": "{{{workflow}}}", "triggerType": "HOURLY", "triggerConfig": {}}""", "triggerType"),
            ($$$"""{"name": "r", "workflowKey": "{{{workflow}}}", "triggerType": "CRON", "triggerConfig": {"cron": "* * * * *", "misfirePolicy": "later"}}""", "triggerConfig.misfirePolicy"),
            ($$$"""{"name": "r", "workflowKey": "{{{workflow}}}", "triggerType": "CRON", "triggerConfig": {"cron": "* * * * *", "timeZone": "UTC"}}""", "triggerConfig.timeZone"),
            ($$$"""{"name": "r", "workflowKey": "{{{workflow}}}", "triggerType": "CRON", "triggerConfig": {"cron": "* * * * *", "enabled": "yes"}}""", "triggerConfig.enabled"),
            ($$"""{"name": "r", "workflowKey": "{{workflow}}", "triggerType": "CRON"}""", "triggerConfig"),
            ($$$"""{"name": "r", "workflowKey": "{{{workflow}}}", "triggerType": "SCHEDULE", "triggerConfig": {"at": "2030-01-31T09:00:00"}}""", "triggerConfig.at"),
            ($$$"""{"name": "r", "workflowKey": "{{{workflow}}}", "triggerType": "EVENT", "triggerConfig": {}}""", "triggerConfig.eventName"),
            ($$$"""{"name": "r", "workflowKey": "{{{workflow}}}", "triggerType": "EVENT", "triggerConfig": {"eventName": "x"}, "rulePayload": {"recipients": "all"}}""", "rulePayload.recipients"),
            ($$$"""{"workflowKey": "{{{workflow}}}", "triggerType": "EVENT", "triggerConfig": {"eventName": "x"}}""", "name"),
        };

        foreach (var (json, field) in cases)
        {
            var answer = await client.SendRawAsync(HttpMethod.Post, "/api/rules", json);
            var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
            Assert.True(errors.ContainsKey(field), $"{json} → {errors.ToJsonString()}");
        }

        Assert.Empty(await client.ListAsync("/api/rules"));
    }

    [Fact]
    public async Task Updating_a_rule_with_an_invalid_cron_is_422_and_it_is_unchanged()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var workflow = await client.WorkflowAsync();
        var id = (long)(await client.CreateAsync("/api/rules", CronRule(workflow)))["id"]!;
        var before = await client.OkAsync(HttpMethod.Get, $"/api/rules/{id}");

        var answer = await client.SendAsync(HttpMethod.Put, $"/api/rules/{id}", CronRule(workflow, "0 25 * * *"));

        await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Equal(before.ToJsonString(), (await client.OkAsync(HttpMethod.Get, $"/api/rules/{id}")).ToJsonString());
    }

    [Fact]
    public async Task Unknown_rule_is_404_for_every_verb()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var workflow = await client.WorkflowAsync();
        const long id = long.MaxValue;

        foreach (var (method, url, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, $"/api/rules/{id}", null),
            (HttpMethod.Put, $"/api/rules/{id}", CronRule(workflow)),
            (HttpMethod.Post, $"/api/rules/{id}/publish", null),
            (HttpMethod.Post, $"/api/rules/{id}/unpublish", null),
            (HttpMethod.Post, $"/api/rules/{id}/deactivate", null),
        })
        {
            await (await client.SendAsync(method, url, body)).AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
        }
    }
}
