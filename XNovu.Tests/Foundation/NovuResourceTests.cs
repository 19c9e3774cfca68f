using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Core.Novu;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Foundation;

[Collection(AppCollection.Name)]
public sealed class NovuResourceTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Novu_emulator_runs_as_the_novu_resource_and_its_inbox_page_shows_what_a_subscriber_received()
    {
        using var novu = fixture.CreateHttpClient("novu");
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscriber = TriggerApi.Subscriber();
        var marker = $"inbox-{Guid.NewGuid():N}";
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(
            TriggerApi.StaticWorkflow, subscriber, new { subject = $"Subject {marker}", body = $"Body {marker}" }));

        var health = await novu.GetAsync(new Uri("/health", UriKind.Relative));
        // The page lists what Novu received, per subscriber as Novu knows them, each delivery with its content.
        var html = await Eventually.WaitForAsync(
            async () => (string?)await novu.GetStringAsync(new Uri("/", UriKind.Relative)),
            page => page?.Contains($"Body {marker}", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30),
            "the delivery on the emulator's inbox page");
        var page = await novu.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<h2>{NovuNames.SubscriberId(enterprise.Id, subscriber)} ", html, StringComparison.Ordinal);
        Assert.Contains($"Subject {marker}", html, StringComparison.Ordinal);
        Assert.Contains(NovuNames.TransactionId(enterprise.Id, (string)accepted["transactionId"]!), html, StringComparison.Ordinal);
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
