using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using XNovu.Core.Novu;
using XNovu.Tests.Infrastructure;
using XNovu.Tests.Novu;
using XNovu.Testing;

namespace XNovu.Tests.NovuSync;

/// <summary>
/// Bring your own Novu: an enterprise given its own Novu environment (here a second emulator, on its own port
/// and key, which like Novu refuses a trigger for a workflow it does not hold and a wrong key with 401) has its
/// workflows created there and delivers there and nowhere else; a wrong key pauses it without failing anything.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class OwnNovuEnvironmentTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private readonly HttpClient _admin = fixture.CreateAdminClient();
    private readonly List<Guid> _ownEnvironments = [];
    private EmulatorHost _own = null!;

    public override async Task InitializeAsync()
    {
        _own = await EmulatorHost.StartAsync(new() { ["NovuEmulator:AcceptUnknownWorkflows"] = "false" });
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        // Back to the shared environment, so no other test sees an environment that is about to go away.
        foreach (var id in _ownEnvironments)
        {
            await _admin.DeleteAsync($"/api/admin/enterprises/{id}/novu");
        }

        await _own.DisposeAsync();
        await base.DisposeAsync();
        _admin.Dispose();
    }

    [Fact]
    public async Task An_enterprise_with_its_own_Novu_environment_delivers_there_and_nowhere_else()
    {
        var own = await fixture.CreateEnterpriseAsync("Own Novu");
        var shared = await fixture.CreateEnterpriseAsync("Shared Novu");
        var set = await ConnectAsync(own.Id, EmulatorHost.SecretKey);
        var key = await own.Client.WorkflowAsync(publish: true);
        var novuId = NovuNames.WorkflowId(own.Id, key);

        var subscriber = TriggerApi.Subscriber();
        var profile = await own.Client.PutAsJsonAsync($"/api/subscribers/{subscriber}", new { email = "ann@own.example" });
        var novuSubscriber = NovuNames.SubscriberId(own.Id, subscriber);
        var ownTrigger = await own.Client.AcceptedAsync(TriggerApi.Trigger(key));
        var ownStatic = await own.Client.AcceptedAsync(TriggerApi.Trigger());
        var sharedTrigger = await shared.Client.AcceptedAsync(TriggerApi.Trigger());
        await Harness.WaitForStatusAsync(ownTrigger.Id(), "SENT");
        await Harness.WaitForStatusAsync(ownStatic.Id(), "SENT");
        await Harness.WaitForStatusAsync(sharedTrigger.Id(), "SENT");
        var workflowThere = await _own.SendAsync(HttpMethod.Get, $"/v2/workflows/{novuId}");
        var staticThere = await _own.SendAsync(HttpMethod.Get, $"/v2/workflows/{NovuNames.WorkflowId(null, TriggerApi.StaticWorkflow)}");
        var ownEvents = await _own.EventsAsync();
        var subscriberThere = await _own.SendAsync(HttpMethod.Get, $"/v2/subscribers/{Uri.EscapeDataString(novuSubscriber)}");

        Assert.Equal("own", (string)set["environment"]!);
        Assert.Equal(HttpStatusCode.OK, workflowThere.StatusCode);
        Assert.Equal(HttpStatusCode.OK, staticThere.StatusCode);
        Assert.Contains(ownEvents, e => (string)e!["transactionId"]! == NovuNames.TransactionId(own.Id, (string)ownTrigger["transactionId"]!));
        Assert.Contains(ownEvents, e => (string)e!["transactionId"]! == NovuNames.TransactionId(own.Id, (string)ownStatic["transactionId"]!));
        Assert.DoesNotContain(ownEvents, e => (string)e!["transactionId"]! == NovuNames.TransactionId(shared.Id, (string)sharedTrigger["transactionId"]!));
        Assert.Empty(await Harness.EventsAsync((string)ownTrigger["transactionId"]!));
        Assert.Empty(await Harness.EventsAsync((string)ownStatic["transactionId"]!));
        Assert.Single(await Harness.EventsAsync((string)sharedTrigger["transactionId"]!));
        using var sharedNovu = NovuApi();
        Assert.Equal(HttpStatusCode.NotFound, (await sharedNovu.GetAsync($"/v2/workflows/{novuId}")).StatusCode);
        Assert.True(profile.IsSuccessStatusCode, await profile.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, subscriberThere.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await sharedNovu.GetAsync($"/v2/subscribers/{Uri.EscapeDataString(novuSubscriber)}")).StatusCode);

        // Back to the shared environment: the next delivery goes there, not to the enterprise's own.
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/admin/enterprises/{own.Id}/novu")).StatusCode);
        var afterwards = await own.Client.AcceptedAsync(TriggerApi.Trigger(key));
        await Harness.WaitForStatusAsync(afterwards.Id(), "SENT");
        var read = await _admin.OkAsync(HttpMethod.Get, $"/api/admin/enterprises/{own.Id}/novu");

        Assert.Single(await Harness.EventsAsync((string)afterwards["transactionId"]!));
        Assert.DoesNotContain(await _own.EventsAsync(), e => (string)e!["transactionId"]! == NovuNames.TransactionId(own.Id, (string)afterwards["transactionId"]!));
        Assert.Equal("shared", (string)read["environment"]!);
        Assert.False((bool)read["secretKeySet"]!);
    }

    [Fact]
    public async Task The_secret_key_is_stored_encrypted_and_never_appears_in_any_answer()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var answers = new List<string>();

        var put = await _admin.PutAsJsonAsync($"/api/admin/enterprises/{enterprise.Id}/novu", new { apiUrl = _own.BaseUrl.ToString(), secretKey = EmulatorHost.SecretKey });
        _ownEnvironments.Add(enterprise.Id);
        answers.Add(await put.Content.ReadAsStringAsync());
        var get = await _admin.GetAsync($"/api/admin/enterprises/{enterprise.Id}/novu");
        answers.Add(await get.Content.ReadAsStringAsync());
        using var anonymous = fixture.CreateHttpClient("api");
        answers.Add(await (await anonymous.GetAsync("/api/health")).Content.ReadAsStringAsync());
        answers.Add(await (await anonymous.GetAsync("/api/dev-studio-status")).Content.ReadAsStringAsync());
        answers.Add(await (await _admin.GetAsync("/api/admin/enterprises")).Content.ReadAsStringAsync());
        answers.Add(await (await _admin.GetAsync($"/api/admin/enterprises/{enterprise.Id}")).Content.ReadAsStringAsync());
        var stored = await StoredSecretAsync(enterprise.Id);
        var body = JsonNode.Parse(answers[1])!;

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.True((bool)body["secretKeySet"]!);
        Assert.Equal(_own.BaseUrl.ToString().TrimEnd('/'), (string)body["apiUrl"]!);
        Assert.All(answers, answer => Assert.DoesNotContain(EmulatorHost.SecretKey, answer, StringComparison.Ordinal));
        Assert.NotNull(stored);
        Assert.DoesNotContain(EmulatorHost.SecretKey, stored, StringComparison.Ordinal);
        Assert.All(Directory.EnumerateFiles(fixture.LogPath), file =>
            Assert.DoesNotContain(EmulatorHost.SecretKey, ReadShared(file), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_input_is_a_problem_and_writes_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var url = $"/api/admin/enterprises/{enterprise.Id}/novu";
        var bad = new (object Body, string Field)[]
        {
            (new { secretKey = "k" }, "apiUrl"),
            (new { apiUrl = "/v1/events", secretKey = "k" }, "apiUrl"),
            (new { apiUrl = "ftp://novu.example", secretKey = "k" }, "apiUrl"),
            (new { apiUrl = "https://user:pass@api.novu.co", secretKey = "k" }, "apiUrl"),
            (new { apiUrl = "https://api.novu.co?key=k", secretKey = "k" }, "apiUrl"),
            (new { apiUrl = "https://api.novu.co" }, "secretKey"),
            (new { apiUrl = "https://api.novu.co", secretKey = "   " }, "secretKey"),
            (new { apiUrl = "https://api.novu.co", secretKey = "two words" }, "secretKey"),
            (new { apiUrl = "https://api.novu.co", secretKey = new string('k', 501) }, "secretKey"),
        };

        foreach (var (body, field) in bad)
        {
            var problem = await (await _admin.PutAsJsonAsync(url, body)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ManagementApi.ValidationType);
            Assert.False(string.IsNullOrEmpty(problem.FieldError(field)), field);
        }

        // The wrong type and a NUL character are malformed requests, refused before validation.
        foreach (var body in new object[]
        {
            new { apiUrl = 5, secretKey = "k" },
            new { apiUrl = "https://api.novu.co", secretKey = new[] { "k" } },
            new { apiUrl = "https://api.novu.co\u0000", secretKey = "k" },
            new { apiUrl = "https://api.novu.co", secretKey = "k\u0000" },
        })
        {
            await (await _admin.PutAsJsonAsync(url, body)).AssertProblemAsync(HttpStatusCode.BadRequest, ManagementApi.MalformedType);
        }

        await (await _admin.PutAsJsonAsync($"/api/admin/enterprises/{Guid.NewGuid()}/novu", new { apiUrl = "https://api.novu.co", secretKey = "k" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, ManagementApi.NotFoundType);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.DeleteAsync($"/api/admin/enterprises/{Guid.NewGuid()}/novu")).StatusCode);
        var byEnterprise = await enterprise.Client.PutAsJsonAsync(url, new { apiUrl = "https://api.novu.co", secretKey = "k" });
        Assert.True(byEnterprise.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, byEnterprise.StatusCode.ToString());
        using var anonymous = fixture.CreateHttpClient("api");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(url)).StatusCode);
        Assert.Equal("shared", (string)(await _admin.OkAsync(HttpMethod.Get, url))["environment"]!);
        Assert.Null(await StoredSecretAsync(enterprise.Id));
    }

    [Fact]
    public async Task A_wrong_key_pauses_that_enterprise_without_failing_anything_and_fixing_it_resumes_delivery()
    {
        var wrong = await fixture.CreateEnterpriseAsync("Wrong key");
        var other = await fixture.CreateEnterpriseAsync("Other");
        await ConnectAsync(wrong.Id, "not-the-key");

        var held = await wrong.Client.AcceptedAsync(TriggerApi.Trigger());
        var paused = await Eventually.WaitForAsync(
            () => wrong.Client.NotificationAsync(held.Id())!,
            n => n?["deliveries"]![0]!["lastError"]?.ToJsonString().Contains("Paused", StringComparison.Ordinal) == true,
            DispatchHarness.DeliveryTimeout,
            "the delivery to be paused");
        var sent = await other.Client.AcceptedAsync(TriggerApi.Trigger());
        await Harness.WaitForStatusAsync(sent.Id(), "SENT");
        var state = await Harness.StateAsync(held.Id());
        using var anonymous = fixture.CreateHttpClient("api");
        var anonymousHealth = await anonymous.GetStringAsync("/api/health");
        var anonymousStudio = await anonymous.GetStringAsync("/api/dev-studio-status");
        // The admin key shows each enterprise's environment; an anonymous probe gets the verdict only.
        var health = await _admin.GetAsync("/api/health");
        var report = JsonNode.Parse(await health.Content.ReadAsStringAsync())!;
        var environment = report["novuEnvironments"]!.AsArray().Single(e => (Guid)e!["enterpriseId"]! == wrong.Id)!;
        var studio = (await _admin.GetFromJsonAsync<JsonObject>("/api/dev-studio-status"))!;
        var studioEnvironment = studio["environments"]!.AsArray().Single(e => (Guid)e!["enterpriseId"]! == wrong.Id)!;

        Assert.Equal("PENDING", state.DeliveryStatuses[0]);
        Assert.Equal(0, await SpentAttemptsAsync(held.Id()));
        Assert.NotEqual("FAILED", state.Status);
        Assert.Equal(401, (int)paused!["deliveries"]![0]!["lastError"]!["httpStatus"]!);
        Assert.Equal("unhealthy", (string)environment["status"]!);
        Assert.Equal("unauthorized", (string)environment["credentials"]!);
        Assert.Equal("healthy", (string)report["novu"]!["status"]!);
        Assert.NotEqual(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("unauthorized", (string)studioEnvironment["credentials"]!);
        Assert.False((bool)studioEnvironment["available"]!);
        Assert.Equal("authorized", (string)studio["credentials"]!);
        Assert.NotEqual("healthy", (string)JsonNode.Parse(anonymousHealth)!["status"]!);
        Assert.DoesNotContain(wrong.Id.ToString(), anonymousHealth, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(wrong.Id.ToString(), anonymousStudio, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await _own.EventsAsync());

        // The right key: the held delivery goes out at once (the pause is minutes long), to that environment.
        await ConnectAsync(wrong.Id, EmulatorHost.SecretKey);
        var resumed = await Harness.WaitForStatusAsync(held.Id(), "SENT");
        var healthAfter = JsonNode.Parse(await _admin.GetStringAsync("/api/health"))!;

        Assert.Equal("SENT", resumed.DeliveryStatuses[0]);
        Assert.Equal(1, await SpentAttemptsAsync(held.Id()));
        Assert.Contains(await _own.EventsAsync(), e => (string)e!["transactionId"]! == NovuNames.TransactionId(wrong.Id, (string)held["transactionId"]!));
        Assert.Equal("healthy", (string)healthAfter["novuEnvironments"]!.AsArray().Single(e => (Guid)e!["enterpriseId"]! == wrong.Id)!["status"]!);
    }

    private async Task<JsonObject> ConnectAsync(Guid enterpriseId, string secretKey)
    {
        var answer = await _admin.OkAsync(HttpMethod.Put, $"/api/admin/enterprises/{enterpriseId}/novu",
            new { apiUrl = _own.BaseUrl.ToString(), secretKey });
        _ownEnvironments.Add(enterpriseId);
        return answer;
    }

    /// <summary>
    /// The first delivery's attempts, less the claims that outlived their lease (a slow round taken over by another
    /// claim loop counts one more attempt whatever its outcome): what sending to Novu has spent.
    /// </summary>
    private async Task<int> SpentAttemptsAsync(long notificationId)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT attempts - unfinished_claims FROM notify.ent_notification_delivery WHERE notification_id = @id ORDER BY ordinal LIMIT 1", connection);
        command.Parameters.AddWithValue("id", notificationId);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private HttpClient NovuApi()
    {
        var client = fixture.CreateHttpClient("novu");
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "ApiKey xnovu-emulator-secret-key");
        return client;
    }

    private async Task<string?> StoredSecretAsync(Guid enterpriseId)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT secret_key FROM notify.enterprise_novu WHERE enterprise_id = @id", connection);
        command.Parameters.AddWithValue("id", enterpriseId);
        return (string?)await command.ExecuteScalarAsync();
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
