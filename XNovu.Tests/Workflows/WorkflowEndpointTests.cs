using System.Net;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Workflows;

[Collection(AppCollection.Name)]
public sealed class WorkflowEndpointTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Workflow_is_created_read_listed_updated_published_unpublished_and_deactivated_in_two_enterprises_under_one_key()
    {
        var key = Key("wf-life");
        foreach (var enterprise in new[] { await fixture.CreateEnterpriseAsync(), await fixture.CreateEnterpriseAsync() })
        {
            var client = enterprise.Client;
            var email = await client.PublishedTemplateAsync("EMAIL");
            var chat = await client.PublishedTemplateAsync("CHAT");

            var created = await client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL"], new() { ["EMAIL"] = email }));
            var read = await client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}");
            var listed = await client.ListAsync("/api/workflows?workflowType=DYNAMIC");
            var updated = await client.OkAsync(HttpMethod.Put, $"/api/workflows/{key}",
                Workflow(key, ["EMAIL", "CHAT"], new() { ["EMAIL"] = email, ["CHAT"] = chat }, name: "Renamed"));
            var published = await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
            var unpublished = await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/unpublish");
            var deactivated = await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/deactivate");

            Assert.Equal("DYNAMIC", (string?)created["workflowType"]);
            Assert.Equal("DRAFT", (string?)created["publishStatus"]);
            Assert.Equal(email, (string?)created["templateOverrides"]!["EMAIL"]);
            Assert.Equal("string", (string?)read["payloadSchema"]!["properties"]!["name"]!["type"]);
            Assert.Equal([key], listed.Strings("workflowKey"));
            Assert.Equal("Renamed", (string?)updated["name"]);
            Assert.Equal(["EMAIL", "CHAT"], updated["defaultChannels"]!.AsArray().Select(c => (string)c!));
            Assert.Equal(2, (int)updated["version"]!);
            Assert.Equal("PUBLISH", (string?)published["publishStatus"]);
            Assert.Equal("DRAFT", (string?)unpublished["publishStatus"]);
            Assert.True((bool)deactivated["deactivated"]!);
        }
    }

    [Fact]
    public async Task Workflow_over_all_five_channels_including_chat_publishes()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var overrides = new Dictionary<string, string>();
        foreach (var channel in Channels)
        {
            overrides[channel] = await client.PublishedTemplateAsync(channel);
        }

        var key = Key("wf-all");
        await client.CreateAsync("/api/workflows", Workflow(key, Channels, overrides));
        var published = await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");

        Assert.Equal("PUBLISH", (string?)published["publishStatus"]);
        Assert.Equal(Channels, published["defaultChannels"]!.AsArray().Select(c => (string)c!));
    }

    [Fact]
    public async Task Duplicate_workflow_key_is_409_and_the_first_workflow_is_unchanged()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var key = Key("wf-dup");
        await client.CreateAsync("/api/workflows", Workflow(key, name: "First"));

        var second = await client.SendAsync(HttpMethod.Post, "/api/workflows", Workflow(key, name: "Second"));

        await second.AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);
        Assert.Equal("First", (string?)(await client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}"))["name"]);
    }

    [Fact]
    public async Task Publishing_a_workflow_without_channels_is_422_and_it_stays_a_draft()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var key = Key("wf-empty");
        await client.CreateAsync("/api/workflows", Workflow(key, []));

        var answer = await client.SendAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Contains("at least one channel", errors.FieldError("defaultChannels"), StringComparison.Ordinal);
        Assert.Equal("DRAFT", (string?)(await client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}"))["publishStatus"]);
    }

    [Fact]
    public async Task Publishing_a_workflow_whose_channel_has_no_template_is_422_and_it_stays_a_draft()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var email = await client.PublishedTemplateAsync("EMAIL");
        var key = Key("wf-gap");
        await client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL", "SMS"], new() { ["EMAIL"] = email }));

        var answer = await client.SendAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Contains("no template", errors.FieldError("templateOverrides.SMS"), StringComparison.Ordinal);
        Assert.False(errors.ContainsKey("templateOverrides.EMAIL"));
        Assert.Equal("DRAFT", (string?)(await client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}"))["publishStatus"]);
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("unpublished", "is not published")]
    [InlineData("deactivated", "is deactivated")]
    [InlineData("other-channel", "is a SMS template, not EMAIL")]
    public async Task Publishing_a_workflow_whose_template_is_not_usable_is_422_and_it_stays_a_draft(string state, string expected)
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var template = Key("tpl");
        switch (state)
        {
            case "unpublished":
                await client.CreateAsync("/api/templates", Template(template, "EMAIL"));
                break;
            case "deactivated":
                await client.CreateAsync("/api/templates", Template(template, "EMAIL"));
                await client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/publish");
                await client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/deactivate");
                break;
            case "other-channel":
                await client.CreateAsync("/api/templates", Template(template, "SMS", subject: null));
                await client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/publish");
                break;
        }

        var key = Key("wf-bad");
        await client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL"], new() { ["EMAIL"] = template }));

        var answer = await client.SendAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Contains(expected, errors.FieldError("templateOverrides.EMAIL"), StringComparison.Ordinal);
        Assert.Equal("DRAFT", (string?)(await client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}"))["publishStatus"]);
    }

    [Fact]
    public async Task Updating_a_published_workflow_so_that_it_could_not_send_is_422_and_it_is_unchanged()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var key = await client.WorkflowAsync(publish: true);
        var before = await client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}");

        var answer = await client.SendAsync(HttpMethod.Put, $"/api/workflows/{key}", Workflow(key, ["EMAIL", "PUSH"], new() { ["EMAIL"] = "nope" }));

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.NotNull(errors["templateOverrides.PUSH"]);
        Assert.NotNull(errors["templateOverrides.EMAIL"]);
        var after = await client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}");
        // The Novu sync state moves on its own (pending, then synced by a dispatcher); the definition must not.
        before.AsObject().Remove("novuSync");
        after.AsObject().Remove("novuSync");
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    public static TheoryData<string, string> InvalidSchemas => new()
    {
        { """{"type": "strin"}""", "payloadSchema" },
        { """{"type": 5}""", "payloadSchema" },
        { """{"properties": []}""", "payloadSchema" },
        { """{"minLength": -1}""", "payloadSchema" },
        { "[1, 2]", "payloadSchema" },
        { "\"an object\"", "payloadSchema" },
    };

    [Theory]
    [MemberData(nameof(InvalidSchemas))]
    public async Task Workflow_whose_payload_schema_is_not_a_json_schema_is_422_and_nothing_is_written(string schema, string field)
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var key = Key("wf-schema");

        var answer = await client.SendRawAsync(HttpMethod.Post, "/api/workflows",
            $$$"""{"workflowKey": "{{{key}}}", "name": "Bad schema", "payloadSchema": {{{schema}}}}""");

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.NotNull(errors[field]);
        await (await client.GetAsync($"/api/workflows/{key}")).AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
        Assert.Empty(await client.ListAsync("/api/workflows?workflowType=DYNAMIC"));
    }

    [Fact]
    public async Task Updating_a_workflow_with_an_invalid_payload_schema_is_422_and_it_is_unchanged()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var key = await client.WorkflowAsync();
        var before = await client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}");

        var answer = await client.SendRawAsync(HttpMethod.Put, $"/api/workflows/{key}",
            """{"name": "Bad schema", "payloadSchema": {"required": "name"}}""");

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.NotNull(errors["payloadSchema"]);
        var after = await client.OkAsync(HttpMethod.Get, $"/api/workflows/{key}");
        // The Novu sync state moves on its own (pending, then synced by a dispatcher); the definition must not.
        before.AsObject().Remove("novuSync");
        after.AsObject().Remove("novuSync");
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task Workflow_with_unknown_channels_key_type_or_category_is_422_naming_each_field_and_nothing_is_written()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var badChannels = await client.SendRawAsync(HttpMethod.Post, "/api/workflows",
            $$$"""{"workflowKey": "{{{Key("wf")}}}", "name": "x", "defaultChannels": ["EMAIL", "FAX", "EMAIL"], "templateOverrides": {"PIGEON": "t"}}""");
        var badKey = await client.SendAsync(HttpMethod.Post, "/api/workflows", Workflow("has spaces/and slashes"));
        var reserved = await client.SendAsync(HttpMethod.Post, "/api/workflows", Workflow("stats"));
        var staticType = await client.SendRawAsync(HttpMethod.Post, "/api/workflows",
            $$"""{"workflowKey": "{{Key("wf")}}", "name": "x", "workflowType": "STATIC"}""");
        var category = await client.SendAsync(HttpMethod.Post, "/api/workflows", Workflow(Key("wf"), categoryCode: "no-such-category"));

        var channelErrors = await badChannels.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.NotNull(channelErrors["defaultChannels[1]"]);
        Assert.NotNull(channelErrors["defaultChannels"]);
        Assert.NotNull(channelErrors["templateOverrides.PIGEON"]);
        Assert.NotNull((await badKey.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["workflowKey"]);
        Assert.NotNull((await reserved.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["workflowKey"]);
        Assert.NotNull((await staticType.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["workflowType"]);
        Assert.NotNull((await category.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["categoryCode"]);
        Assert.Empty(await client.ListAsync("/api/workflows?workflowType=DYNAMIC"));
    }

    [Fact]
    public async Task Workflow_category_code_resolves_to_the_enterprises_own_category()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        await client.CreateAsync("/api/categories", new { code = "billing", name = "Billing" });
        var key = Key("wf-cat");

        var created = await client.CreateAsync("/api/workflows", Workflow(key, categoryCode: "billing"));

        Assert.Equal("billing", (string?)created["categoryCode"]);
    }

    [Fact]
    public async Task Unknown_workflow_is_404_for_every_verb()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var key = Key("wf-none");

        foreach (var (method, url, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, $"/api/workflows/{key}", null),
            (HttpMethod.Put, $"/api/workflows/{key}", Workflow(key)),
            (HttpMethod.Post, $"/api/workflows/{key}/publish", null),
            (HttpMethod.Post, $"/api/workflows/{key}/unpublish", null),
            (HttpMethod.Post, $"/api/workflows/{key}/deactivate", null),
        })
        {
            await (await client.SendAsync(method, url, body)).AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
        }
    }

    [Fact]
    public async Task Registry_stats_count_static_workflows_and_published_dynamic_ones()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var before = await client.OkAsync(HttpMethod.Get, "/api/workflows/stats");

        await client.WorkflowAsync(publish: true);
        await client.WorkflowAsync(publish: false);
        var after = await client.OkAsync(HttpMethod.Get, "/api/workflows/stats");

        Assert.True((long)after["static"]! >= StaticWorkflowKeys.Length);
        Assert.Equal((long)after["static"]! + (long)after["dynamic"]!, (long)after["total"]!);
        Assert.True((long)after["dynamic"]! >= (long)before["dynamic"]! + 1);
        Assert.True((long)after["enterprises"]! >= 1);
    }
}
