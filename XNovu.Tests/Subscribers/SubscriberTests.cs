using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using XNovu.Core.Novu;
using XNovu.Testing;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Subscribers;

/// <summary>The subscriber directory and topics over HTTP, through the dispatcher to the Novu emulator.</summary>
[Collection(AppCollection.Name)]
public sealed class SubscriberTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private const string EmulatorSecretKey = "xnovu-emulator-secret-key";

    [Fact]
    public async Task Stored_first_name_renders_when_the_trigger_names_the_subscriber_by_id_alone_and_inline_values_win_for_that_delivery_only()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await GreetingWorkflowAsync(enterprise.Client);
        var subscriber = TriggerApi.Subscriber();
        var put = await enterprise.Client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { firstName = "Ann", email = "ann@example.com", timezone = "Europe/Paris" });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        var byId = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, subscriber, new { name = "x" }));
        // Sent before the inline trigger upserts the directory: a profile is read when the delivery is rendered.
        await Harness.WaitForStatusAsync(byId.Id(), "SENT");
        var inline = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, new[] { new { subscriberId = subscriber, firstName = "Inline" } }, new { name = "x" }));
        await Harness.WaitForStatusAsync(inline.Id(), "SENT");
        var first = Assert.Single(await Harness.EventsAsync((string)byId["transactionId"]!));
        var second = Assert.Single(await Harness.EventsAsync((string)inline["transactionId"]!));

        Assert.Equal("Hi Ann!", (string)first!["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["subject"]!);
        Assert.Equal("ann@example.com", (string?)first["to"]![0]?["email"] ?? (string?)first["to"]!["email"]);
        Assert.Equal("Hi Inline!", (string)second!["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["subject"]!);
        // The inline first name was upserted into the directory, as Novu does with a recipient object.
        Assert.Equal("Inline", (string)(await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}"))["firstName"]!);
        Assert.Equal(1, (int)byId["recipients"]!);
    }

    [Fact]
    public async Task Subscriber_crud_search_and_cursor_pages_hold_together()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var prefix = $"crud-{Guid.NewGuid():N}"[..13];
        var bulk = await enterprise.Client.PostAsJsonAsync("/api/subscribers/bulk", new
        {
            subscribers = Enumerable.Range(0, 5).Select(i => new { subscriberId = $"{prefix}-{i}", firstName = $"Name{i}", data = new { rank = i } }),
        });
        var patched = await enterprise.Client.OkAsync(HttpMethod.Patch, $"/api/subscribers/{prefix}-1", new { lastName = "Patched" });
        var page1 = await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers?search={prefix}&limit=3");
        var page2 = await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers?search={prefix}&limit=3&cursor={(string)page1["nextCursor"]!}");
        var deleted = await enterprise.Client.DeleteAsync(new Uri($"/api/subscribers/{prefix}-4", UriKind.Relative));
        var gone = await enterprise.Client.GetAsync(new Uri($"/api/subscribers/{prefix}-4", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, bulk.StatusCode);
        Assert.Equal(5, (int)(await bulk.ReadObjectAsync())["created"]!);
        Assert.Equal("Name1", (string)patched["firstName"]!);
        Assert.Equal("Patched", (string)patched["lastName"]!);
        Assert.Equal(1, (int)patched["data"]!["rank"]!);
        Assert.Equal([$"{prefix}-0", $"{prefix}-1", $"{prefix}-2"], page1["items"]!.AsArray().Strings("subscriberId"));
        Assert.Equal([$"{prefix}-3", $"{prefix}-4"], page2["items"]!.AsArray().Strings("subscriberId"));
        Assert.Null(page2["nextCursor"]);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Bad_profiles_are_refused_naming_the_field_and_write_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var id = TriggerApi.Subscriber();

        var nul = await enterprise.Client.SendRawAsync(HttpMethod.Put, $"/api/subscribers/{id}", """{"firstName":"A\u0000B"}""");
        var tooLong = await enterprise.Client.PutAsJsonAsync($"/api/subscribers/{id}", new { email = new string('e', 1001) });
        var wrongType = await enterprise.Client.SendRawAsync(HttpMethod.Put, $"/api/subscribers/{id}", """{"data":[1,2]}""");
        var badZone = await enterprise.Client.PutAsJsonAsync($"/api/subscribers/{id}", new { timezone = "Mars/Olympus" });
        var tooMany = await enterprise.Client.PostAsJsonAsync("/api/subscribers/bulk", new
        {
            subscribers = Enumerable.Range(0, 501).Select(i => new { subscriberId = $"{id}-{i}" }),
        });
        var oneBadInBulk = await enterprise.Client.PostAsJsonAsync("/api/subscribers/bulk", new
        {
            subscribers = new object[] { new { subscriberId = $"{id}-ok" }, new { subscriberId = $"{id}-bad", phone = new string('1', 2000) } },
        });

        Assert.Contains("firstName", (await nul.AssertProblemAsync(HttpStatusCode.BadRequest, MalformedType)).Select(e => e.Key));
        Assert.NotNull((await tooLong.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["email"]);
        Assert.NotNull((await wrongType.AssertProblemAsync(HttpStatusCode.BadRequest, MalformedType))["data"]);
        Assert.NotNull((await badZone.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["timezone"]);
        Assert.NotNull((await tooMany.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["subscribers"]);
        Assert.NotNull((await oneBadInBulk.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["subscribers[1].phone"]);
        Assert.Empty((await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers?search={id}"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Topic_of_2000_subscribers_is_delivered_exactly_once_to_each_member()
    {
        const int members = 2000;
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await GreetingWorkflowAsync(enterprise.Client);
        var prefix = $"t-{Guid.NewGuid():N}"[..10];
        var ids = Enumerable.Range(0, members).Select(i => $"{prefix}-{i:D4}").ToArray();
        foreach (var chunk in ids.Chunk(500))
        {
            (await enterprise.Client.PostAsJsonAsync("/api/subscribers/bulk", new { subscribers = chunk.Select(id => new { subscriberId = id, firstName = "M" + id[^4..] }) }))
                .EnsureSuccessStatusCode();
        }

        var topic = Key("news");
        await enterprise.Client.CreateAsync("/api/topics", new { topicKey = topic, name = "News" });
        foreach (var chunk in ids.Chunk(1000))
        {
            await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/topics/{topic}/subscribers", new { subscriberIds = chunk });
        }

        var membersPage = await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/topics/{topic}/subscribers?limit=500");
        // The topic mixed with a single recipient who is also a member: that member still gets one delivery.
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(
            workflow, new object[] { new { type = "Topic", topicKey = topic }, ids[7] }, new { name = "x" }));
        var transactionId = (string)accepted["transactionId"]!;
        var events = await Eventually.WaitForAsync(
            () => Harness.EventsAsync(transactionId)!, e => e?.Count >= members, TimeSpan.FromSeconds(120), $"{members} events at Novu");
        await Task.Delay(TimeSpan.FromSeconds(2));
        events = await Harness.EventsAsync(transactionId);
        var received = events.Select(e => ((string)e!["subscriberIds"]![0]!)[$"{enterprise.Id:N}:".Length..]).ToList();

        Assert.Equal(500, membersPage["items"]!.AsArray().Count);
        Assert.NotNull(membersPage["nextCursor"]);
        Assert.Equal(members, (int)accepted["recipients"]!);
        Assert.Equal(members, received.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), received.Distinct().Order(StringComparer.Ordinal));
        Assert.All(events, e => Assert.Equal(
            $"Hi M{((string)e!["subscriberIds"]![0]!)[^4..]}!", (string)e["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["subject"]!));
        await Harness.WaitForStatusAsync(accepted.Id(), "SENT");
    }

    [Fact]
    public async Task Trigger_to_an_unknown_topic_is_422_and_stores_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.PostTriggerAsync(TriggerApi.Trigger(to: new { type = "Topic", topicKey = "nobody-here" }));

        Assert.NotNull((await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType))["to[0].topicKey"]);
        Assert.Equal(0, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Erasing_a_subscriber_removes_its_personal_data_from_the_directory_novu_and_past_deliveries()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await GreetingWorkflowAsync(enterprise.Client);
        var subscriber = TriggerApi.Subscriber();
        var email = $"{subscriber}@example.com";
        await enterprise.Client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { firstName = "Eve", email, phone = "+33600000000" });
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(
            workflow, new[] { new { subscriberId = subscriber, lastName = "Secretname", email } }, new { name = "x" }));
        await Harness.WaitForStatusAsync(accepted.Id(), "SENT");
        using var novu = fixture.CreateHttpClient("novu");
        novu.DefaultRequestHeaders.Add("Authorization", $"ApiKey {EmulatorSecretKey}");
        var inNovuBefore = await novu.GetAsync(new Uri($"/v2/subscribers/{Uri.EscapeDataString(NovuNames.SubscriberId(enterprise.Id, subscriber))}", UriKind.Relative));
        var export = await enterprise.Client.OkAsync(HttpMethod.Get, $"/api/subscribers/{subscriber}/export");

        var erased = await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/subscribers/{subscriber}/erase");
        var inNovuAfter = await novu.GetAsync(new Uri($"/v2/subscribers/{Uri.EscapeDataString(NovuNames.SubscriberId(enterprise.Id, subscriber))}", UriKind.Relative));
        var profile = await enterprise.Client.GetAsync(new Uri($"/api/subscribers/{subscriber}", UriKind.Relative));
        var stored = await StoredTextAsync(enterprise.Id, subscriber);

        Assert.Equal(HttpStatusCode.OK, inNovuBefore.StatusCode);
        Assert.Equal(email, (string)export["profile"]!["email"]!);
        Assert.Single(export["deliveries"]!.AsArray());
        Assert.Equal("deleted", (string)erased["novu"]!);
        Assert.Equal(1, (int)erased["deliveries"]!);
        Assert.Equal(HttpStatusCode.NotFound, inNovuAfter.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, profile.StatusCode);
        Assert.Contains(subscriber, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(email, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("Secretname", stored, StringComparison.Ordinal);
    }

    /// <summary>Everything stored about the subscriber's deliveries and notifications, read as the database owner.</summary>
    private async Task<string> StoredTextAsync(Guid enterpriseId, string subscriber)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        var rows = await connection.QueryAsync<string>(
            """
            SELECT d.recipient::text || ' ' || n.recipients::text
            FROM notify.ent_notification_delivery d JOIN notify.ent_notification n ON n.id = d.notification_id
            WHERE d.enterprise_id = @enterpriseId AND d.subscriber_id = @subscriber
            UNION ALL
            SELECT coalesce(email, '') || coalesce(first_name, '') FROM notify.subscriber WHERE enterprise_id = @enterpriseId AND subscriber_id = @subscriber
            """,
            new { enterpriseId, subscriber });
        return string.Join("\n", rows);
    }

    private static async Task<string> GreetingWorkflowAsync(HttpClient client)
    {
        var template = Key("greet");
        var workflow = Key("greet-wf");
        await client.CreateAsync("/api/templates", Template(template, "EMAIL", body: "<p>Hello {{ subscriber.firstName }} {{ subscriber.timezone }}</p>", subject: "Hi {{ subscriber.firstName }}!"));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/publish");
        await client.CreateAsync("/api/workflows", Workflow(workflow, ["EMAIL"], new() { ["EMAIL"] = template }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{workflow}/publish");
        return workflow;
    }
}
