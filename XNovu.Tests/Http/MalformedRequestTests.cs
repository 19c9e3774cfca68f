using System.Net;
using System.Net.Http.Json;
using System.Text;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Http;

[Collection(AppCollection.Name)]
public sealed class MalformedRequestTests(XNovuAppFixture fixture)
{
    [Theory]
    [InlineData("/api/templates", """{"templateKey": "k", "name": "n", "channelType": "EMAIL", "bodyTemplate": "b",""", null)]
    [InlineData("/api/templates", """{"templateKey": 5, "name": "n", "channelType": "EMAIL", "bodyTemplate": "b"}""", "templateKey")]
    [InlineData("/api/workflows", """{"workflowKey": "k", "name": "n", "defaultChannels": "EMAIL"}""", "defaultChannels")]
    [InlineData("/api/workflows", """{"workflowKey": "k", "name": "n", "templateOverrides": {"EMAIL": 7}}""", "templateOverrides.EMAIL")]
    [InlineData("/api/rules", """{"name": ["n"], "workflowKey": "k", "triggerType": "EVENT"}""", "name")]
    [InlineData("/api/templates/preview", """{"channelType": "EMAIL", "bodyTemplate": true}""", "bodyTemplate")]
    public async Task Malformed_json_or_a_wrong_type_is_400_naming_the_field_and_nothing_is_written(string url, string json, string? field)
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;

        var answer = await client.SendRawAsync(HttpMethod.Post, url, json);

        var errors = await answer.AssertProblemAsync(HttpStatusCode.BadRequest, MalformedType);
        if (field is not null)
        {
            Assert.True(errors.ContainsKey(field), $"{field} not named in {errors.ToJsonString()}");
        }

        Assert.Empty(await client.ListAsync("/api/templates"));
        Assert.Empty(await client.ListAsync("/api/workflows?workflowType=DYNAMIC"));
        Assert.Empty(await client.ListAsync("/api/rules"));
    }

    [Theory]
    [InlineData("/api/templates")]
    [InlineData("/api/workflows")]
    [InlineData("/api/rules")]
    public async Task Body_over_one_megabyte_is_413_and_nothing_is_written(string url)
    {
        var client = (await fixture.CreateEnterpriseAsync()).Client;
        var huge = new string('x', 1024 * 1024 + 1);
        var json = $$"""{"templateKey": "{{Key("big")}}", "workflowKey": "{{Key("big")}}", "name": "n", "channelType": "EMAIL", "bodyTemplate": "{{huge}}", "description": "{{huge}}"}""";

        // Expect: 100-continue lets the server refuse on Content-Length before the body is sent; otherwise the
        // refusal can race the upload and surface as a broken pipe instead of the 413.
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        var answer = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://xnovu.dev/problems/payload-too-large", (string)(await answer.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["type"]!);
        Assert.Empty(await client.ListAsync("/api/templates"));
        Assert.Empty(await client.ListAsync("/api/workflows?workflowType=DYNAMIC"));
        Assert.Empty(await client.ListAsync("/api/rules"));
    }
}
