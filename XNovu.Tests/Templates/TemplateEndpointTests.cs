using System.Net;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Templates;

[Collection(AppCollection.Name)]
public sealed class TemplateEndpointTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Template_is_created_read_listed_updated_published_unpublished_and_deactivated_in_two_enterprises_under_one_key()
    {
        var key = Key("tpl-life");
        foreach (var enterprise in new[] { await fixture.CreateEnterpriseAsync(), await fixture.CreateEnterpriseAsync() })
        {
            var client = enterprise.Client;

            var created = await client.CreateAsync("/api/templates", Template(key, "EMAIL"));
            var read = await client.OkAsync(HttpMethod.Get, $"/api/templates/{key}");
            var listed = await client.ListAsync("/api/templates");
            var updated = await client.OkAsync(HttpMethod.Put, $"/api/templates/{key}",
                Template(key, "EMAIL", body: "Bye {{ payload.name }}", name: "Renamed"));
            var published = await client.OkAsync(HttpMethod.Post, $"/api/templates/{key}/publish");
            var unpublished = await client.OkAsync(HttpMethod.Post, $"/api/templates/{key}/unpublish");
            var deactivated = await client.OkAsync(HttpMethod.Post, $"/api/templates/{key}/deactivate");

            Assert.Equal(key, (string?)created["templateKey"]);
            Assert.Equal("DRAFT", (string?)created["publishStatus"]);
            Assert.False((bool)created["deactivated"]!);
            Assert.Equal("Hello {{ payload.name }}", (string?)read["bodyTemplate"]);
            Assert.Equal("Hi {{ payload.name }}", (string?)read["subjectTemplate"]);
            Assert.Equal("the recipient's name", (string?)read["variablesDescription"]!["name"]);
            Assert.Equal(new[] { key }, listed.Strings("templateKey"));
            Assert.Equal("Renamed", (string?)updated["name"]);
            Assert.Equal("Bye {{ payload.name }}", (string?)updated["bodyTemplate"]);
            Assert.Equal("PUBLISH", (string?)published["publishStatus"]);
            Assert.Equal("DRAFT", (string?)unpublished["publishStatus"]);
            Assert.True((bool)deactivated["deactivated"]!);
        }
    }

    [Theory]
    [InlineData("IN_APP")]
    [InlineData("EMAIL")]
    [InlineData("SMS")]
    [InlineData("CHAT")]
    [InlineData("PUSH")]
    public async Task Template_of_every_channel_including_chat_is_accepted(string channel)
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var created = await client.CreateAsync("/api/templates", Template(Key("tpl"), channel));

        Assert.Equal(channel, (string?)created["channelType"]);
    }

    [Fact]
    public async Task Template_list_filters_by_channel_and_publish_status()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var publishedEmail = await client.PublishedTemplateAsync("EMAIL");
        var draftEmail = Key("tpl");
        await client.CreateAsync("/api/templates", Template(draftEmail, "EMAIL"));
        var publishedChat = await client.PublishedTemplateAsync("CHAT");

        var emails = await client.ListAsync("/api/templates?channel=EMAIL");
        var publishedEmails = await client.ListAsync("/api/templates?channel=EMAIL&publishStatus=PUBLISH");
        var published = await client.ListAsync("/api/templates?publishStatus=PUBLISH");
        var badFilter = await client.GetAsync("/api/templates?channel=FAX");

        Assert.Equal(new[] { draftEmail, publishedEmail }.Order(StringComparer.Ordinal), emails.Strings("templateKey"));
        Assert.Equal(new[] { publishedEmail }, publishedEmails.Strings("templateKey"));
        Assert.Equal(new[] { publishedChat, publishedEmail }.Order(StringComparer.Ordinal), published.Strings("templateKey"));
        Assert.NotNull((await badFilter.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["channel"]);
    }

    [Fact]
    public async Task Template_whose_liquid_does_not_parse_is_422_with_line_and_column_and_nothing_is_written()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var key = Key("tpl-bad");

        var answer = await client.SendAsync(HttpMethod.Post, "/api/templates",
            Template(key, body: "Hello\n{% if payload.name %}\n  {{ payload.name }}\n"));

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        var message = errors.FieldError("bodyTemplate");
        Assert.Matches(@"line \d+", message);
        Assert.Matches(@"column \d+", message);
        await (await client.GetAsync($"/api/templates/{key}")).AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
        Assert.Empty(await client.ListAsync("/api/templates"));
    }

    [Fact]
    public async Task Template_whose_subject_does_not_parse_is_422_on_the_subject_field()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var answer = await client.SendAsync(HttpMethod.Post, "/api/templates", Template(Key("tpl"), subject: "Hi {{ payload.name "));

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Matches(@"line \d+", errors.FieldError("subjectTemplate"));
        Assert.Empty(await client.ListAsync("/api/templates"));
    }

    [Fact]
    public async Task Updating_a_template_with_liquid_that_does_not_parse_is_422_and_it_is_unchanged()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var key = Key("tpl");
        await client.CreateAsync("/api/templates", Template(key));
        var before = await client.OkAsync(HttpMethod.Get, $"/api/templates/{key}");

        var answer = await client.SendAsync(HttpMethod.Put, $"/api/templates/{key}", Template(key, body: "{% for x in payload.items %}"));

        await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Equal(before.ToJsonString(), (await client.OkAsync(HttpMethod.Get, $"/api/templates/{key}")).ToJsonString());
    }

    [Fact]
    public async Task Duplicate_template_key_is_409_and_the_first_template_is_unchanged()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var key = Key("tpl-dup");
        await client.CreateAsync("/api/templates", Template(key, name: "First"));

        var second = await client.SendAsync(HttpMethod.Post, "/api/templates", Template(key, "SMS", name: "Second"));

        await second.AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);
        var kept = await client.OkAsync(HttpMethod.Get, $"/api/templates/{key}");
        Assert.Equal("First", (string?)kept["name"]);
        Assert.Equal("EMAIL", (string?)kept["channelType"]);
    }

    [Fact]
    public async Task Template_category_code_resolves_to_the_enterprises_category_and_an_unknown_code_is_422_writing_nothing()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        await client.CreateAsync("/api/categories", new { code = "security", name = "Security" });

        var known = await client.CreateAsync("/api/templates", Template(Key("tpl"), categoryCode: "security"));
        var unknown = await client.SendAsync(HttpMethod.Post, "/api/templates", Template(Key("tpl"), categoryCode: "marketing"));

        Assert.Equal("security", (string?)known["categoryCode"]);
        Assert.NotNull((await unknown.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["categoryCode"]);
        Assert.Single(await client.ListAsync("/api/templates"));
    }

    [Fact]
    public async Task Template_without_name_body_or_known_channel_is_422_naming_each_field_and_nothing_is_written()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var answer = await client.SendRawAsync(HttpMethod.Post, "/api/templates",
            """{"templateKey": "a key with spaces", "channelType": "FAX", "variablesDescription": [1]}""");

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        foreach (var field in new[] { "templateKey", "name", "channelType", "bodyTemplate", "variablesDescription" })
        {
            Assert.True(errors.ContainsKey(field), $"{field} missing in {errors.ToJsonString()}");
        }

        Assert.Empty(await client.ListAsync("/api/templates"));
    }

    [Fact]
    public async Task Unknown_template_is_404_for_every_verb()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var key = Key("tpl-none");

        foreach (var (method, url, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, $"/api/templates/{key}", null),
            (HttpMethod.Put, $"/api/templates/{key}", Template(key)),
            (HttpMethod.Post, $"/api/templates/{key}/publish", null),
            (HttpMethod.Post, $"/api/templates/{key}/unpublish", null),
            (HttpMethod.Post, $"/api/templates/{key}/deactivate", null),
        })
        {
            await (await client.SendAsync(method, url, body)).AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
        }
    }

    [Fact]
    public async Task Preview_renders_a_given_subject_and_body_with_the_sample_payload_and_subscriber()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var preview = await client.OkAsync(HttpMethod.Post, "/api/templates/preview", new
        {
            channelType = "EMAIL",
            subjectTemplate = "Order {{ payload.orderId }}",
            bodyTemplate = "<p>Hello {{ subscriber.firstName }}, order {{ payload.orderId }} has shipped.</p>",
            payload = new { orderId = "A-42" },
            subscriber = new { firstName = "Ada" },
        });

        Assert.Equal("EMAIL", (string?)preview["channelType"]);
        Assert.Equal("Order A-42", (string?)preview["subject"]);
        Assert.Contains("<p>Hello Ada, order A-42 has shipped.</p>", (string?)preview["body"], StringComparison.Ordinal);
        Assert.Contains("Hello Ada, order A-42 has shipped.", (string?)preview["text"], StringComparison.Ordinal);
        Assert.DoesNotContain("<p>", (string?)preview["text"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_renders_a_stored_template_by_key()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var key = Key("tpl");
        await client.CreateAsync("/api/templates", Template(key, "SMS", body: "Code {{ payload.code }}", subject: null));

        var preview = await client.OkAsync(HttpMethod.Post, "/api/templates/preview", new { templateKey = key, payload = new { code = "123456" } });

        Assert.Equal("SMS", (string?)preview["channelType"]);
        Assert.Equal("Code 123456", (string?)preview["body"]);
        Assert.Equal("Code 123456", (string?)preview["text"]);
    }

    [Fact]
    public async Task Preview_of_liquid_that_does_not_parse_is_422_with_line_and_column()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var answer = await client.SendAsync(HttpMethod.Post, "/api/templates/preview", new
        {
            channelType = "IN_APP",
            bodyTemplate = "line one\nline two {% unknown_tag %}",
            payload = new { },
        });

        var errors = await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        var message = errors.FieldError("bodyTemplate");
        Assert.Matches(@"line \d+", message);
        Assert.Matches(@"column \d+", message);
    }

    [Fact]
    public async Task Preview_of_an_unknown_template_key_or_without_a_body_is_422()
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var unknownKey = await client.SendAsync(HttpMethod.Post, "/api/templates/preview", new { templateKey = Key("tpl-none") });
        var noBody = await client.SendAsync(HttpMethod.Post, "/api/templates/preview", new { channelType = "EMAIL" });

        Assert.NotNull((await unknownKey.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["templateKey"]);
        Assert.NotNull((await noBody.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["bodyTemplate"]);
    }
}
