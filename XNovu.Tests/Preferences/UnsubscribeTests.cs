using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Preferences;

/// <summary>
/// An email's signed unsubscribe link: rendered by <c>{{ unsubscribe_url }}</c> and carried as RFC 8058 headers in
/// Novu's email overrides; its page changes nothing, its one-click POST turns the workflow's email off, and a forged
/// link is refused and writes nothing.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class UnsubscribeTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task The_email_carries_a_signed_link_and_headers_whose_one_click_post_turns_that_workflows_email_off_and_a_forged_link_writes_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var hostile = await fixture.CreateEnterpriseAsync();
        var template = Key("tpl-unsub");
        await enterprise.Client.CreateAsync("/api/templates",
            Template(template, "EMAIL", body: "<p>Hello</p><p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p>"));
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/publish");
        var sms = await enterprise.Client.PublishedTemplateAsync("SMS");
        var workflow = Key("unsub-wf");
        await enterprise.Client.CreateAsync("/api/workflows", Workflow(workflow, ["EMAIL", "SMS"], new() { ["EMAIL"] = template, ["SMS"] = sms }));
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflow}/publish");
        var subscriber = TriggerApi.Subscriber();
        Assert.Equal(HttpStatusCode.Created, (await enterprise.Client.PutAsJsonAsync($"/api/subscribers/{subscriber}",
            new { email = "ann@example.com", phone = "+15550100" })).StatusCode);

        var first = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "Ann" }));
        await Harness.WaitForStatusAsync(first.Id(), "SENT");
        var sent = Assert.Single(await Harness.EventsAsync((string)first["transactionId"]!))!;
        var header = (string)sent["overrides"]!["email"]!["headers"]!["List-Unsubscribe"]!;
        Assert.Equal("List-Unsubscribe=One-Click", (string)sent["overrides"]!["email"]!["headers"]!["List-Unsubscribe-Post"]!);
        var link = new Uri(header.Trim('<', '>'));
        Assert.Contains($"href=\"{link}\"", (string)sent["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!, StringComparison.Ordinal);
        Assert.StartsWith("/unsubscribe/", link.AbsolutePath, StringComparison.Ordinal);
        using var anonymous = fixture.CreateHttpClient("api");

        // A forged link (its signature from another token, or one byte changed) is 400 and writes nothing; so is a
        // hostile enterprise's attempt to reuse the path with its own key.
        var token = link.AbsolutePath["/unsubscribe/".Length..];
        var forged = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        var forgedAnswer = await anonymous.PostAsync($"/unsubscribe/{forged}", OneClick());
        var garbage = await anonymous.PostAsync("/unsubscribe/not-a-token", OneClick());
        var hostileAnswer = await hostile.Client.PostAsync($"/unsubscribe/{forged}", OneClick());
        await forgedAnswer.AssertProblemAsync(HttpStatusCode.BadRequest, "https://xnovu.dev/problems/unsubscribe-token-invalid");
        await garbage.AssertProblemAsync(HttpStatusCode.BadRequest, "https://xnovu.dev/problems/unsubscribe-token-invalid");
        await hostileAnswer.AssertProblemAsync(HttpStatusCode.BadRequest, "https://xnovu.dev/problems/unsubscribe-token-invalid");
        // Opening the page asks to confirm and changes nothing.
        var page = await anonymous.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<form method=\"post\">", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True((bool)EmailOf(await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/preferences"), workflow));

        var done = await anonymous.PostAsync(link.PathAndQuery, OneClick());

        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var preferences = await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/preferences");
        Assert.False(EmailOf(preferences, workflow));
        Assert.True((bool)preferences["global"]!["channels"]!["email"]!);
        var second = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "Ann" }));
        await Harness.WaitForStatusAsync(second.Id(), "SENT");
        var channels = Assert.Single(await Harness.EventsAsync((string)second["transactionId"]!))!["payload"]!["xnovu"]!["channels"]!.AsObject();
        Assert.False(channels.ContainsKey("EMAIL"));
        Assert.True(channels.ContainsKey("SMS"));
    }

    private static FormUrlEncodedContent OneClick() => new([new("List-Unsubscribe", "One-Click")]);

    private static bool EmailOf(JsonObject preferences, string workflow) =>
        (bool)preferences["workflows"]!.AsArray().Single(w => (string)w!["workflow"]!["identifier"]! == workflow)!["channels"]!["email"]!;
}
