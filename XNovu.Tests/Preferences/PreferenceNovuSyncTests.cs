using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Core.Novu;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Preferences;

/// <summary>
/// Choices made through XNovu reach the enterprise's Novu environment (the emulator, read with Novu's own
/// preference route), in Novu's names for the subscriber and the workflow, and an outage there only delays them.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PreferenceNovuSyncTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private const string EmulatorKey = "xnovu-emulator-secret-key";
    private readonly HttpClient _novu = NovuApiClient(fixture);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _novu.Dispose();
    }

    [Fact]
    public async Task A_subscribers_preferences_set_in_XNovu_show_in_Novu_and_an_outage_there_delays_them_without_losing_any()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        var workflow = await SyncedWorkflowAsync(enterprise.Client);
        var subscriber = await SubscriberAsync(enterprise.Client);
        var bystander = await SubscriberAsync(other.Client, subscriber);
        var novuSubscriber = NovuNames.SubscriberId(enterprise.Id, subscriber);
        var novuWorkflow = NovuNames.WorkflowId(enterprise.Id, workflow);

        await enterprise.Client.OkAsync(HttpMethod.Patch, $"/api/subscribers/{subscriber}/preferences",
            new { workflowId = workflow, channels = new { email = false } });
        await enterprise.Client.OkAsync(HttpMethod.Patch, $"/api/subscribers/{subscriber}/preferences", new { channels = new { push = false } });
        var inNovu = await WaitForNovuAsync(novuSubscriber, p =>
            (bool?)p["global"]?["channels"]?["push"] == false && (bool?)WorkflowIn(p, novuWorkflow)?["channels"]?["email"] == false);

        Assert.True((bool)WorkflowIn(inNovu, novuWorkflow)!["channels"]!["sms"]!);
        Assert.True((bool)inNovu["global"]!["channels"]!["email"]!);
        // The other enterprise's subscriber of the same id is another Novu subscriber, untouched.
        var untouched = await NovuPreferencesAsync(NovuNames.SubscriberId(other.Id, bystander));
        Assert.True((bool)untouched!["global"]!["channels"]!["push"]!);

        // Novu refuses for a while: the change waits in the queue and arrives once Novu is back.
        await Harness.AddFaultAsync(new { statusCode = 503, durationSeconds = 4, paths = new[] { $"/v2/subscribers/{novuSubscriber}/preferences" } });
        await enterprise.Client.OkAsync(HttpMethod.Patch, $"/api/subscribers/{subscriber}/preferences/bulk",
            new { preferences = new[] { new { workflowId = workflow, channels = new { sms = false } } } });
        var after = await WaitForNovuAsync(novuSubscriber, p => (bool?)WorkflowIn(p, novuWorkflow)?["channels"]?["sms"] == false);

        Assert.False((bool)WorkflowIn(after, novuWorkflow)!["channels"]!["email"]!);
    }

    private static JsonObject? WorkflowIn(JsonObject preferences, string novuWorkflow) =>
        preferences["workflows"]?.AsArray().FirstOrDefault(w => (string?)w?["workflow"]?["identifier"] == novuWorkflow)?.AsObject();

    private async Task<JsonObject?> NovuPreferencesAsync(string novuSubscriber)
    {
        var answer = await _novu.GetAsync(new Uri($"/v2/subscribers/{Uri.EscapeDataString(novuSubscriber)}/preferences?criticality=all", UriKind.Relative));
        return answer.IsSuccessStatusCode ? (await answer.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsObject() : null;
    }

    private Task<JsonObject> WaitForNovuAsync(string novuSubscriber, Func<JsonObject, bool> condition) =>
        Eventually.WaitForAsync(() => NovuPreferencesAsync(novuSubscriber), p => p is not null && condition(p),
            DispatchHarness.DeliveryTimeout, $"Novu preferences of {novuSubscriber}")!;

    private static HttpClient NovuApiClient(XNovuAppFixture fixture)
    {
        var client = fixture.CreateHttpClient("novu");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", EmulatorKey);
        return client;
    }

    private static async Task<string> SubscriberAsync(HttpClient client, string? subscriber = null)
    {
        subscriber ??= TriggerApi.Subscriber();
        var put = await client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { firstName = "Ann", email = "ann@example.com", phone = "+15550100" });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return subscriber;
    }

    private static async Task<string> SyncedWorkflowAsync(HttpClient client)
    {
        var email = await client.PublishedTemplateAsync("EMAIL");
        var sms = await client.PublishedTemplateAsync("SMS");
        var key = Key("pref-sync");
        await client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL", "SMS"], new() { ["EMAIL"] = email, ["SMS"] = sms }));
        await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        return key;
    }
}
