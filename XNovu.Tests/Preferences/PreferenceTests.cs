using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Preferences;

/// <summary>Subscriber preferences over HTTP in Novu's shapes, decided by the dispatcher at send time.</summary>
[Collection(AppCollection.Name)]
public sealed class PreferenceTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task A_subscriber_who_turned_email_off_gets_the_sms_and_no_email_the_delivery_says_why_and_a_critical_workflow_still_emails()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await EmailAndSmsWorkflowAsync(enterprise.Client);
        var subscriber = await SubscriberAsync(enterprise.Client);

        var answer = await enterprise.Client.OkAsync(HttpMethod.Patch, $"/api/subscribers/{subscriber}/preferences",
            new { workflowId = workflow, channels = new { email = false } });
        var shown = Workflow(answer, workflow);
        Assert.False((bool)shown["channels"]!["email"]!);
        Assert.True((bool)shown["channels"]!["sms"]!);
        Assert.Equal("subscriber-workflow", (string)shown["sources"]!["email"]!);
        Assert.True((bool)answer["global"]!["channels"]!["email"]!);

        var silenced = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "Ann" }));
        await Harness.WaitForStatusAsync(silenced.Id(), "SENT");
        var sent = Assert.Single(await Harness.EventsAsync((string)silenced["transactionId"]!))!;
        var channels = sent["payload"]!["xnovu"]!["channels"]!.AsObject();
        Assert.True(channels.ContainsKey("SMS"));
        Assert.False(channels.ContainsKey("EMAIL"));
        var delivery = (await enterprise.Client.NotificationAsync(silenced.Id()))["deliveries"]![0]!;
        Assert.Equal("SENT", (string)delivery["status"]!);
        Assert.Equal("subscriber-workflow", (string)delivery["skippedChannels"]!["EMAIL"]!["source"]!);
        Assert.Contains("turned email off for this workflow", (string)delivery["skippedChannels"]!["EMAIL"]!["reason"]!, StringComparison.Ordinal);

        // Critical: the same subscriber's choice no longer silences it.
        var critical = await enterprise.Client.OkAsync(HttpMethod.Put, $"/api/workflows/{workflow}/preferences", new { critical = true });
        Assert.True((bool)critical["critical"]!);
        var forced = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "Ann" }));
        await Harness.WaitForStatusAsync(forced.Id(), "SENT");
        var criticalEvent = Assert.Single(await Harness.EventsAsync((string)forced["transactionId"]!))!;
        Assert.True(criticalEvent["payload"]!["xnovu"]!["channels"]!.AsObject().ContainsKey("EMAIL"));
        Assert.Null((await enterprise.Client.NotificationAsync(forced.Id()))["deliveries"]![0]!["skippedChannels"]);
        // Critical workflows are hidden from the default list, as in Novu, and shown with criticality=critical.
        Assert.DoesNotContain(workflow, (await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/preferences"))["workflows"]!.AsArray().Select(w => (string)w!["workflow"]!["identifier"]!));
        Assert.Equal("critical", (string)Workflow(await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/preferences?criticality=critical"), workflow)["sources"]!["email"]!);
    }

    [Fact]
    public async Task A_delivery_every_channel_of_which_is_silenced_is_skipped_neither_sent_nor_failed_and_nothing_reaches_novu()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await EmailAndSmsWorkflowAsync(enterprise.Client);
        var subscriber = await SubscriberAsync(enterprise.Client);
        await enterprise.Client.OkAsync(HttpMethod.Patch, $"/api/subscribers/{subscriber}/preferences", new { channels = new { email = false } });
        await enterprise.Client.OkAsync(HttpMethod.Patch, $"/api/subscribers/{subscriber}/preferences/bulk",
            new { preferences = new[] { new { workflowId = workflow, channels = new { sms = false } } } });

        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "Ann" }));
        var state = await Harness.WaitForStatusAsync(accepted.Id(), "SENT");
        var delivery = (await enterprise.Client.NotificationAsync(accepted.Id()))["deliveries"]![0]!;

        Assert.Equal(["SKIPPED"], state.DeliveryStatuses);
        Assert.Equal("SKIPPED", (string)delivery["status"]!);
        Assert.Equal("subscriber-global", (string)delivery["skippedChannels"]!["EMAIL"]!["source"]!);
        Assert.Equal("subscriber-workflow", (string)delivery["skippedChannels"]!["SMS"]!["source"]!);
        Assert.Null(delivery["sentAt"]);
        Assert.Null(delivery["lastError"]);
        Assert.Empty(await Harness.EventsAsync((string)accepted["transactionId"]!));
    }

    [Fact]
    public async Task The_decision_is_made_at_dispatch_so_a_change_after_the_accept_counts_and_a_forced_category_default_beats_the_subscriber()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var category = Key("cat");
        await enterprise.Client.CreateAsync("/api/categories", new { code = category, name = "Billing" });
        var workflow = await EmailAndSmsWorkflowAsync(enterprise.Client, category);
        var subscriber = await SubscriberAsync(enterprise.Client);

        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "Ann" },
            new() { ["scheduledFor"] = DateTimeOffset.UtcNow.AddSeconds(4) }));
        // After the accept, before the send: the subscriber wants SMS only for this workflow, the enterprise forces SMS off.
        await enterprise.Client.OkAsync(HttpMethod.Patch, $"/api/subscribers/{subscriber}/preferences",
            new { workflowId = workflow, channels = new { email = false, sms = true } });
        var set = await enterprise.Client.OkAsync(HttpMethod.Put, $"/api/preferences/defaults/categories/{category}", new { channels = new { sms = false }, forced = true });
        Assert.True((bool)set["forced"]!);

        await Harness.WaitForStatusAsync(accepted.Id(), "SENT");
        var delivery = (await enterprise.Client.NotificationAsync(accepted.Id()))["deliveries"]![0]!;
        Assert.Equal("SKIPPED", (string)delivery["status"]!);
        Assert.Equal("enterprise-category", (string)delivery["skippedChannels"]!["SMS"]!["source"]!);
        Assert.Equal("subscriber-workflow", (string)delivery["skippedChannels"]!["EMAIL"]!["source"]!);
        var shown = Workflow(await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/preferences"), workflow);
        Assert.Equal("enterprise-category", (string)shown["sources"]!["sms"]!);
        Assert.False((bool)shown["enabled"]!);
    }

    [Fact]
    public async Task Bad_preferences_are_refused_and_write_nothing_and_another_enterprises_subscriber_is_unknown()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var hostile = await fixture.CreateEnterpriseAsync();
        var workflow = await EmailAndSmsWorkflowAsync(enterprise.Client);
        var subscriber = await SubscriberAsync(enterprise.Client);
        var url = $"/api/subscribers/{subscriber}/preferences";

        var notAChannel = await enterprise.Client.SendAsync(HttpMethod.Patch, url, new { channels = new { fax = false } });
        var notABoolean = await enterprise.Client.SendRawAsync(HttpMethod.Patch, url, """{"channels":{"email":"no"}}""");
        var noChannels = await enterprise.Client.SendAsync(HttpMethod.Patch, url, new { workflowId = workflow });
        var unknownWorkflow = await enterprise.Client.SendAsync(HttpMethod.Patch, url, new { workflowId = "nope", channels = new { email = false } });
        var tooMany = await enterprise.Client.SendAsync(HttpMethod.Patch, url + "/bulk",
            new { preferences = Enumerable.Range(0, 101).Select(_ => new { workflowId = workflow, channels = new { email = false } }) });
        var badCriticality = await enterprise.Client.GetAsync(new Uri(url + "?criticality=some", UriKind.Relative));
        var guessed = await hostile.Client.SendAsync(HttpMethod.Patch, url, new { channels = new { email = false } });
        var guessedRead = await hostile.Client.GetAsync(new Uri(url, UriKind.Relative));
        var hostileDefault = await hostile.Client.SendAsync(HttpMethod.Put, $"/api/preferences/defaults/workflows/{workflow}", new { channels = new { email = false }, forced = true });

        await notAChannel.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");
        await notABoolean.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");
        await noChannels.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");
        await unknownWorkflow.AssertProblemAsync(HttpStatusCode.NotFound, "https://xnovu.dev/problems/not-found");
        await tooMany.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");
        await badCriticality.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");
        await guessed.AssertProblemAsync(HttpStatusCode.NotFound, "https://xnovu.dev/problems/not-found");
        await guessedRead.AssertProblemAsync(HttpStatusCode.NotFound, "https://xnovu.dev/problems/not-found");
        await hostileDefault.AssertProblemAsync(HttpStatusCode.NotFound, "https://xnovu.dev/problems/not-found");
        // Nothing was written: every channel is still on, decided by default.
        var shown = Workflow(await enterprise.Client.OkAsync(HttpMethod.Get, url), workflow);
        Assert.All(shown["sources"]!.AsObject(), source => Assert.Equal("default", (string)source.Value!));
        Assert.Empty((await enterprise.Client.OkAsync(HttpMethod.Get, "/api/preferences/defaults"))["workflows"]!.AsArray());
    }

    private static JsonObject Workflow(JsonObject preferences, string workflow) =>
        preferences["workflows"]!.AsArray().Single(w => (string)w!["workflow"]!["identifier"]! == workflow)!.AsObject();

    private static async Task<string> SubscriberAsync(HttpClient client)
    {
        var subscriber = TriggerApi.Subscriber();
        var put = await client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { firstName = "Ann", email = "ann@example.com", phone = "+15550100" });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return subscriber;
    }

    private static async Task<string> EmailAndSmsWorkflowAsync(HttpClient client, string? categoryCode = null)
    {
        var email = await client.PublishedTemplateAsync("EMAIL");
        var sms = await client.PublishedTemplateAsync("SMS");
        var key = Key("pref-wf");
        await client.CreateAsync("/api/workflows", ManagementApi.Workflow(key, ["EMAIL", "SMS"], new() { ["EMAIL"] = email, ["SMS"] = sms }, categoryCode: categoryCode));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        return key;
    }
}
