using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Foundation;

[Collection(AppCollection.Name)]
public sealed class NovuResourceTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Novu_emulator_runs_as_the_novu_resource_with_its_inbox_page()
    {
        using var novu = fixture.CreateHttpClient("novu");

        var health = await novu.GetAsync(new Uri("/health", UriKind.Relative));
        var page = await novu.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Novu_emulator_refuses_a_trigger_without_the_key_the_services_are_given()
    {
        using var novu = fixture.CreateHttpClient("novu");

        var answer = await novu.PostAsJsonAsync("/v1/events/trigger", new { name = "w", to = "s1", payload = new { } });

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Equal(401, (int)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["statusCode"]!);
    }
}
