using System.Net;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Compatibility;

/// <summary>What callers of the original's API relied on: re-sends, answer fields, root-level variables, legacy includes.</summary>
[Collection(AppCollection.Name)]
public sealed class OriginalApiTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private const string NotFoundType = "https://xnovu.dev/problems/not-found";
    private const string ValidationType = "https://xnovu.dev/problems/validation";
    private const string ConflictType = "https://xnovu.dev/problems/conflict";

    [Fact]
    public async Task Trigger_answer_carries_the_original_fields()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Later());

        Assert.True((bool)accepted["success"]!);
        Assert.Equal(enterprise.Id, (Guid)accepted["enterpriseId"]!);
        Assert.Equal(TriggerApi.StaticWorkflow, (string)accepted["workflowId"]!);
        Assert.Contains("queued", (string)accepted["message"]!, StringComparison.Ordinal);
        Assert.Equal((string)accepted["transactionId"]!, (string)accepted["result"]!["transactionId"]!);
        Assert.True((bool)accepted["result"]!["acknowledged"]!);
    }

    [Fact]
    public async Task Trigger_with_notificationId_re_sends_that_notification_once_and_creates_none()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var first = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(TriggerApi.StaticWorkflow));
        await Harness.WaitForStatusAsync(first.Id(), "SENT");
        var count = await fixture.CountNotificationsAsync(enterprise.Id);
        var resend = new JsonObject { ["notificationId"] = first.Id(), ["workflowId"] = TriggerApi.StaticWorkflow };

        var again = await enterprise.Client.AcceptedAsync(resend);
        var twice = await enterprise.Client.AcceptedAsync(resend);

        Assert.Equal(first.Id(), again.Id());
        Assert.Equal("SENT", (string)again["status"]!);
        Assert.Contains("not sent twice", (string)twice["message"]!, StringComparison.Ordinal);
        Assert.Equal(count, await fixture.CountNotificationsAsync(enterprise.Id));
        Assert.Single(await Harness.EventsAsync((string)first["transactionId"]!));
    }

    [Fact]
    public async Task Trigger_with_notificationId_of_a_failed_notification_sends_it_again()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var first = await enterprise.Client.AcceptedAsync(TriggerApi.Later());
        await fixture.ForceStatusAsync(first.Id(), "FAILED");

        var again = await enterprise.Client.AcceptedAsync(new JsonObject { ["notificationId"] = first.Id() });
        var pending = await enterprise.Client.AcceptedAsync(new JsonObject { ["notificationId"] = first.Id() });

        Assert.Equal("PENDING", (string)again["status"]!);
        Assert.Contains("queued again", (string)again["message"]!, StringComparison.Ordinal);
        // The dispatcher may send it between the two calls: either way the second one queues nothing more.
        Assert.Matches("already (queued|sent)", (string)pending["message"]!);
    }

    [Fact]
    public async Task Trigger_with_notificationId_of_another_enterprise_is_404_and_of_a_cancelled_one_409()
    {
        var owner = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        var notification = await owner.Client.AcceptedAsync(TriggerApi.Later());
        var cancelled = await owner.Client.AcceptedAsync(TriggerApi.Later());
        await owner.Client.OkAsync(HttpMethod.Post, $"/api/notifications/{cancelled.Id()}/cancel", new { reason = "test" });

        await (await other.Client.PostTriggerAsync(new JsonObject { ["notificationId"] = notification.Id() })).AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
        await (await owner.Client.PostTriggerAsync(new JsonObject { ["notificationId"] = cancelled.Id() })).AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);
        var errors = await (await owner.Client.PostTriggerAsync(new JsonObject { ["notificationId"] = notification.Id(), ["workflowId"] = "default-sms" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Contains(TriggerApi.StaticWorkflow, errors.FieldError("workflowId"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Legacy_include_is_rewritten_on_save_with_a_note()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = Key("tpl");

        var created = await enterprise.Client.CreateAsync("/api/templates", Template(key, body: "Hi {{- xnovu_render('footer', { name: payload.name, n: 3 }) -}}!"));

        Assert.Equal("Hi {%- xnovu_render \"footer\", name: payload.name, n: 3 -%}!", (string)created["bodyTemplate"]!);
        Assert.Contains("rewritten", (string)created["notes"]![0]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Legacy_include_that_cannot_be_converted_is_422_and_stores_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = Key("tpl");

        var errors = await (await enterprise.Client.SendAsync(HttpMethod.Post, "/api/templates", Template(key, body: "{{ xnovu_render(payload.key) }}")))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);

        Assert.Contains("quoted literal", errors.FieldError("bodyTemplate"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await enterprise.Client.GetAsync($"/api/templates/{key}")).StatusCode);
    }

    [Fact]
    public async Task Payload_keys_render_at_the_root_per_template_or_by_the_enterprise_default()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        var own = Key("tpl");
        var following = Key("tpl");
        await enterprise.Client.CreateAsync("/api/templates", new { templateKey = own, name = "Own", channelType = "SMS", bodyTemplate = "[{{ name }}|{{ payload.name }}]", payloadAtRoot = false });
        await enterprise.Client.CreateAsync("/api/templates", new { templateKey = following, name = "Default", channelType = "SMS", bodyTemplate = "[{{ name }}|{{ payload.name }}]" });

        async Task<string> PreviewAsync(string templateKey) =>
            (string)(await enterprise.Client.OkAsync(HttpMethod.Post, "/api/templates/preview", new { templateKey, payload = new { name = "Ann" } }))["body"]!;

        var before = await PreviewAsync(following);
        await admin.OkAsync(HttpMethod.Put, $"/api/admin/enterprises/{enterprise.Id}/template-defaults", new { payloadAtRoot = true });
        var after = await PreviewAsync(following);
        var ownAfter = await PreviewAsync(own);
        var adHoc = await enterprise.Client.OkAsync(HttpMethod.Post, "/api/templates/preview", new
        {
            channelType = "SMS", bodyTemplate = "{{ name }}/{{ payload.name }}", payloadAtRoot = true, payload = new { name = "Bo", payload = "not me" },
        });

        Assert.Equal("[|Ann]", before);
        Assert.Equal("[Ann|Ann]", after);
        Assert.Equal("[|Ann]", ownAfter);
        Assert.Equal("Bo/Bo", (string)adHoc["body"]!);
    }
}
