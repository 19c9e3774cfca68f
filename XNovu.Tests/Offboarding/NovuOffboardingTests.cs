using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using XNovu.Core.Novu;
using XNovu.Testing;
using XNovu.Tests.Infrastructure;
using XNovu.Tests.Novu;

namespace XNovu.Tests.Offboarding;

/// <summary>
/// Offboarding reaches Novu: a deleted enterprise's subscribers and workflows, and an erased subscriber, are
/// removed there (the shared environment here) until Novu confirms, through a Novu outage and a restart of the
/// dispatchers; another enterprise's stay.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class NovuOffboardingTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private static readonly TimeSpan RemovalTimeout = TimeSpan.FromSeconds(60);
    private readonly HttpClient _novu = NovuApi(fixture);
    private readonly HttpClient _admin = fixture.CreateAdminClient();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _novu.Dispose();
        _admin.Dispose();
    }

    [Fact]
    public async Task Deleting_an_enterprise_removes_its_subscribers_and_workflows_from_Novu_and_leaves_another_enterprises_alone()
    {
        var leaving = await TenantInNovuAsync("Leaving");
        var staying = await TenantInNovuAsync("Staying");

        Assert.Equal(HttpStatusCode.Accepted, (await _admin.DeleteAsync($"/api/admin/enterprises/{leaving.Enterprise.Id}")).StatusCode);

        await WaitUntilGoneAsync(leaving.NovuPaths);
        foreach (var path in staying.NovuPaths)
        {
            Assert.Equal(HttpStatusCode.OK, (await _novu.GetAsync(path)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await _novu.GetAsync($"/v2/workflows/{NovuNames.WorkflowId(null, TriggerApi.StaticWorkflow)}")).StatusCode);
        await Eventually.WaitForAsync(() => QueuedAsync(leaving.Enterprise.Id), n => n == 0, TimeSpan.FromSeconds(10), "the removal queue to empty");
    }

    [Fact]
    public async Task Deleting_an_enterprise_with_its_own_Novu_environment_removes_it_there_too()
    {
        await using var own = await EmulatorHost.StartAsync(new() { ["NovuEmulator:AcceptUnknownWorkflows"] = "false" });
        var leaving = await fixture.CreateEnterpriseAsync("Leaving its own Novu");
        await _admin.OkAsync(HttpMethod.Put, $"/api/admin/enterprises/{leaving.Id}/novu",
            new { apiUrl = own.BaseUrl.ToString(), secretKey = EmulatorHost.SecretKey });
        var workflow = await leaving.Client.WorkflowAsync(publish: true);
        var subscriber = TriggerApi.Subscriber();
        var accepted = await leaving.Client.AcceptedAsync(TriggerApi.Trigger(workflow, to: subscriber, payload: new { name = "Ada" }));
        await Harness.WaitForStatusAsync(accepted.Id(), "SENT");
        string[] paths =
        [
            $"/v2/workflows/{NovuNames.WorkflowId(leaving.Id, workflow)}",
            $"/v2/subscribers/{Uri.EscapeDataString(NovuNames.SubscriberId(leaving.Id, subscriber))}",
        ];
        foreach (var path in paths)
        {
            Assert.Equal(HttpStatusCode.OK, (await own.SendAsync(HttpMethod.Get, path)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Accepted, (await _admin.DeleteAsync($"/api/admin/enterprises/{leaving.Id}")).StatusCode);

        foreach (var path in paths)
        {
            await Eventually.WaitForAsync<HttpStatusCode?>(
                async () => (await own.SendAsync(HttpMethod.Get, path)).StatusCode, s => s == HttpStatusCode.NotFound, RemovalTimeout, $"{path} gone from the own Novu");
        }

        await Eventually.WaitForAsync(() => QueuedAsync(leaving.Id), n => n == 0, TimeSpan.FromSeconds(10), "the removal queue to empty");
    }

    [Fact]
    public async Task Deleting_an_enterprise_while_Novu_is_down_is_retried_until_Novu_confirms()
    {
        var leaving = await TenantInNovuAsync("Leaving in an outage");
        await Harness.AddFaultAsync(new { statusCode = 503, durationSeconds = 6, paths = new[] { "/v2/subscribers", "/v2/workflows" } });

        Assert.Equal(HttpStatusCode.Accepted, (await _admin.DeleteAsync($"/api/admin/enterprises/{leaving.Enterprise.Id}")).StatusCode);

        await WaitUntilGoneAsync(leaving.NovuPaths);
        var deletes = (await Harness.RequestsAsync()).Where(r => (string?)r!["method"] == "DELETE").ToList();
        Assert.Contains(deletes, r => (int)r!["status"]! == 503);
        Assert.Contains(deletes, r => (int)r!["status"]! is 200 or 204);
        await Eventually.WaitForAsync(() => QueuedAsync(leaving.Enterprise.Id), n => n == 0, TimeSpan.FromSeconds(10), "the removal queue to empty");
    }

    [Fact]
    public async Task Erasing_a_subscriber_while_Novu_is_down_deletes_it_there_once_Novu_is_back()
    {
        var enterprise = await fixture.CreateEnterpriseAsync("Eraser");
        var other = await fixture.CreateEnterpriseAsync("Same subscriber id elsewhere");
        var subscriber = TriggerApi.Subscriber();
        (await enterprise.Client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { email = "ann@erase.example" })).EnsureSuccessStatusCode();
        (await other.Client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { email = "ann@other.example" })).EnsureSuccessStatusCode();
        var path = $"/v2/subscribers/{Uri.EscapeDataString(NovuNames.SubscriberId(enterprise.Id, subscriber))}";
        var otherPath = $"/v2/subscribers/{Uri.EscapeDataString(NovuNames.SubscriberId(other.Id, subscriber))}";
        Assert.Equal(HttpStatusCode.OK, (await _novu.GetAsync(path)).StatusCode);
        await Harness.AddFaultAsync(new { statusCode = 503, durationSeconds = 5, paths = new[] { "/v2/subscribers" } });

        var erased = await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/subscribers/{subscriber}/erase");

        Assert.Equal("failed", (string?)erased["novu"]);
        await WaitUntilGoneAsync([path]);
        Assert.Equal(HttpStatusCode.OK, (await _novu.GetAsync(otherPath)).StatusCode);
        // Novu's answer comes before the row is finished: the queue empties a moment after the subscriber is gone.
        await Eventually.WaitForAsync(() => QueuedAsync(enterprise.Id), n => n == 0, TimeSpan.FromSeconds(10), "the removal queue to empty");
    }

    [Fact]
    public async Task A_removal_Novu_refused_survives_a_restart_of_every_dispatcher_and_completes_after()
    {
        var enterprise = await fixture.CreateEnterpriseAsync("Eraser across a restart");
        var subscriber = TriggerApi.Subscriber();
        (await enterprise.Client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { email = "ann@restart.example" })).EnsureSuccessStatusCode();
        var path = $"/v2/subscribers/{Uri.EscapeDataString(NovuNames.SubscriberId(enterprise.Id, subscriber))}";
        await Harness.AddFaultAsync(new { statusCode = 503, durationSeconds = 15, paths = new[] { "/v2/subscribers" } });
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/subscribers/{subscriber}/erase");
        await Eventually.WaitForAsync(() => LastErrorAsync(enterprise.Id), e => e is not null, TimeSpan.FromSeconds(20), "a refused removal attempt");

        await Harness.KillAndRestartDispatchersAsync();

        await WaitUntilGoneAsync([path]);
        // Novu's answer comes before the row is finished: the queue empties a moment after the subscriber is gone.
        await Eventually.WaitForAsync(() => QueuedAsync(enterprise.Id), n => n == 0, TimeSpan.FromSeconds(10), "the removal queue to empty");
    }

    /// <summary>
    /// An enterprise with what Novu holds of it: a published workflow (synced), a directory subscriber (synced on
    /// write) and a subscriber only a trigger named (Novu creates it). Answers those Novu paths, each there now.
    /// </summary>
    private async Task<(TestEnterprise Enterprise, IReadOnlyList<string> NovuPaths)> TenantInNovuAsync(string name)
    {
        var enterprise = await fixture.CreateEnterpriseAsync(name);
        var workflow = await enterprise.Client.WorkflowAsync(publish: true);
        var profiled = TriggerApi.Subscriber();
        (await enterprise.Client.PutAsJsonAsync($"/api/subscribers/{profiled}", new { email = "ann@leaving.example" })).EnsureSuccessStatusCode();
        var triggered = TriggerApi.Subscriber();
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger(workflow, to: triggered, payload: new { name = "Ada" }));
        await Harness.WaitForStatusAsync(accepted.Id(), "SENT");

        IReadOnlyList<string> paths =
        [
            $"/v2/workflows/{NovuNames.WorkflowId(enterprise.Id, workflow)}",
            $"/v2/subscribers/{Uri.EscapeDataString(NovuNames.SubscriberId(enterprise.Id, profiled))}",
            $"/v2/subscribers/{Uri.EscapeDataString(NovuNames.SubscriberId(enterprise.Id, triggered))}",
        ];
        foreach (var path in paths)
        {
            Assert.Equal(HttpStatusCode.OK, (await _novu.GetAsync(path)).StatusCode);
        }

        return (enterprise, paths);
    }

    private async Task WaitUntilGoneAsync(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            await Eventually.WaitForAsync<HttpStatusCode?>(
                async () => (await _novu.GetAsync(path)).StatusCode, s => s == HttpStatusCode.NotFound, RemovalTimeout, $"{path} gone from Novu");
        }
    }

    private async Task<long> QueuedAsync(Guid enterpriseId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notify.novu_removal WHERE owner_enterprise = @enterpriseId", new { enterpriseId });
    }

    private async Task<string?> LastErrorAsync(Guid enterpriseId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<string?>(
            "SELECT last_error FROM notify.novu_removal WHERE owner_enterprise = @enterpriseId AND last_error IS NOT NULL LIMIT 1", new { enterpriseId });
    }

    private static HttpClient NovuApi(XNovuAppFixture fixture)
    {
        var client = fixture.CreateHttpClient("novu");
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "ApiKey xnovu-emulator-secret-key");
        return client;
    }
}
