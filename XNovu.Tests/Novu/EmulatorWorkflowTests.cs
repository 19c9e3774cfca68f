using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using XNovu.NovuClient;

namespace XNovu.Tests.Novu;

/// <summary>
/// The emulator's workflows, as Novu keeps them, through the real typed client: with its default settings an
/// unknown workflow is refused, an inactive one answers <c>trigger_not_active</c>, and steps run.
/// </summary>
public sealed class EmulatorWorkflowTests : IAsyncLifetime
{
    private EmulatorHost _emulator = null!;
    private INovuClient _client = null!;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorHost.StartAsync(new() { ["NovuEmulator:AcceptUnknownWorkflows"] = "false" });
        _emulator.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", EmulatorHost.SecretKey);
        _client = _emulator.CreateClient();
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Workflow_is_created_read_updated_and_deleted_through_the_client()
    {
        var created = await _client.Workflows.CreateAsync(Welcome(active: true));
        var read = await _client.Workflows.GetAsync("welcome");
        var updated = await _client.Workflows.UpdateAsync("welcome", Welcome(active: false) with { Name = "Welcome 2" });
        var deleted = await _client.Workflows.DeleteAsync("welcome");
        var gone = await _client.Workflows.GetAsync("welcome");

        Assert.Equal((NovuOutcomeKind.Success, 201), (created.Kind, created.HttpStatus));
        Assert.Equal("welcome", created.Value!.WorkflowId);
        Assert.Equal("ACTIVE", read.Value!.Status);
        Assert.Equal(["email", "in_app"], read.Value.Steps.Select(s => s.Type));
        Assert.Equal("{{payload.body}}", (string?)read.Value.Steps[0].Controls!.Values!["body"]);
        Assert.Equal(("Welcome 2", false, "INACTIVE"), (updated.Value!.Name, updated.Value.Active, updated.Value.Status));
        Assert.Equal(created.Value.Id, updated.Value.Id);
        Assert.Equal((NovuOutcomeKind.Success, 204), (deleted.Kind, deleted.HttpStatus));
        Assert.Equal((NovuOutcomeKind.Terminal, 404), (gone.Kind, gone.HttpStatus));
    }

    [Fact]
    public async Task A_taken_identifier_is_a_terminal_409()
    {
        await _client.Workflows.CreateAsync(Welcome(active: true));

        var again = await _client.Workflows.CreateAsync(Welcome(active: true));

        Assert.Equal((NovuOutcomeKind.Terminal, 409), (again.Kind, again.HttpStatus));
    }

    [Fact]
    public async Task An_identifier_outside_the_slug_rules_and_an_unknown_step_type_are_422_in_Novus_shape()
    {
        var answer = await _emulator.Http.PostAsJsonAsync("/v2/workflows", new
        {
            name = "Bad",
            workflowId = "not a slug!",
            steps = new object[] { new { name = "Fax", type = "fax", controlValues = new { } } },
        });
        var body = (await answer.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        Assert.Equal(422, (int)body["statusCode"]!);
        Assert.NotNull(body["errors"]!["workflowId"]);
        Assert.NotNull(body["errors"]!["steps.0.type"]);
        Assert.Empty((await _emulator.Http.GetFromJsonAsync<JsonObject>("/v2/workflows"))!["data"]!["workflows"]!.AsArray());
    }

    [Fact]
    public async Task Trigger_for_an_unknown_workflow_is_422_workflow_not_found()
    {
        var outcome = await _client.TriggerAsync(NovuClientFactory.Event("tx-unknown", "welcome"));

        Assert.Equal((NovuOutcomeKind.Terminal, 422), (outcome.Kind, outcome.HttpStatus));
        Assert.Contains("workflow_not_found", outcome.Message, StringComparison.Ordinal);
        Assert.Empty(await _emulator.EventsAsync());
    }

    [Fact]
    public async Task Trigger_for_an_inactive_workflow_is_201_trigger_not_active_and_records_nothing()
    {
        await _client.Workflows.CreateAsync(Welcome(active: false));

        var outcome = await _client.TriggerAsync(NovuClientFactory.Event("tx-inactive", "welcome"));

        Assert.Equal((NovuOutcomeKind.Terminal, 201, "trigger_not_active"), (outcome.Kind, outcome.HttpStatus, outcome.NovuStatus));
        Assert.Empty(await _emulator.EventsAsync());
    }

    [Fact]
    public async Task Steps_run_with_their_content_rendered_and_a_step_without_content_is_skipped()
    {
        await _client.Workflows.CreateAsync(Welcome(active: true));

        var outcome = await _client.TriggerAsync(NovuClientFactory.Event("tx-steps", "welcome") with
        {
            To = [new NovuSubscriber { SubscriberId = "ada", FirstName = "Ada" }],
            Payload = JsonSerializer.SerializeToElement(new { body = "<p>Hi</p>", inApp = false }),
        });
        var received = Assert.Single(await _emulator.EventsAsync())!;
        var steps = received["steps"]!.AsArray();
        var inbox = await _emulator.Http.GetStringAsync("/");

        Assert.True(outcome.IsSuccess);
        Assert.Equal("email", (string?)steps[0]!["type"]);
        Assert.Equal("<p>Hi</p>", (string?)steps[0]!["content"]!["body"]);
        Assert.Equal("Hello Ada", (string?)steps[0]!["content"]!["subject"]);
        Assert.True((bool)steps[1]!["skipped"]!);
        Assert.Contains("&lt;p&gt;Hi&lt;/p&gt;", inbox, StringComparison.Ordinal);
        Assert.Contains("skipped", inbox, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_are_paged_as_Novu_pages_them_newest_first_with_its_counts_and_limits()
    {
        await _client.Workflows.CreateAsync(Welcome(active: true));
        var events = Enumerable.Range(0, 23).Select(i => NovuClientFactory.Event($"tx-page-{i}", "welcome", $"pager-{i}") with
        {
            Payload = JsonSerializer.SerializeToElement(new { body = $"message {i}" }),
        }).ToList();
        Assert.All(await _client.TriggerBulkAsync(events), o => Assert.True(o.IsSuccess));

        var first = await PageAsync("");
        var pages = new List<JsonObject>();
        for (var page = 0; page < 3; page++)
        {
            pages.Add(await PageAsync($"?page={page}&limit=10"));
        }

        var beyond = await PageAsync("?page=3&limit=10");
        var filtered = await PageAsync("?transactionId=tx-page-4&transactionId=tx-page-19&limit=1");
        using var tooMany = await _emulator.Http.GetAsync("/v1/messages?limit=1001");
        using var notANumber = await _emulator.Http.GetAsync("/v1/messages?page=first");

        // No data envelope around the page: its own fields, as Novu's GetMessages answers.
        Assert.Equal(["data", "hasMore", "page", "pageSize", "totalCount"], first.Select(p => p.Key).Order());
        Assert.Equal((0, 10, 23, true), ((int)first["page"]!, (int)first["pageSize"]!, (int)first["totalCount"]!, (bool)first["hasMore"]!));
        Assert.Equal([10, 10, 3], pages.Select(p => p["data"]!.AsArray().Count));
        Assert.Equal([true, true, false], pages.Select(p => (bool)p["hasMore"]!));
        Assert.All(pages, p => Assert.Equal(23, (int)p["totalCount"]!));
        var listed = pages.SelectMany(p => p["data"]!.AsArray()).Select(m => m!).ToList();
        Assert.Equal(23, listed.Select(m => (string)m["_id"]!).Distinct().Count());
        Assert.Equal(events.Select(e => e.TransactionId).Order(), listed.Select(m => (string)m["transactionId"]!).Order());
        var created = listed.Select(m => DateTimeOffset.Parse((string)m["createdAt"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(created.OrderByDescending(c => c), created);
        Assert.Empty(beyond["data"]!.AsArray());
        Assert.False((bool)beyond["hasMore"]!);
        Assert.Equal((2, true, "tx-page-19"), ((int)filtered["totalCount"]!, (bool)filtered["hasMore"]!, (string)filtered["data"]![0]!["transactionId"]!));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("Limit can not be larger then 1000", (string?)(await tooMany.Content.ReadFromJsonAsync<JsonObject>())!["message"]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notANumber.StatusCode);
    }

    private async Task<JsonObject> PageAsync(string query) => (await _emulator.Http.GetFromJsonAsync<JsonObject>("/v1/messages" + query))!;

    private static NovuWorkflowRequest Welcome(bool active) => new()
    {
        WorkflowId = "welcome",
        Name = "Welcome",
        Active = active,
        Steps =
        [
            new NovuStepRequest
            {
                Name = "Email",
                Type = "email",
                ControlValues = new JsonObject { ["subject"] = "Hello {{ subscriber.firstName }}", ["body"] = "{{payload.body}}" },
            },
            new NovuStepRequest
            {
                Name = "In-app",
                Type = "in_app",
                ControlValues = new JsonObject
                {
                    ["body"] = "{{payload.body}}",
                    ["skip"] = new JsonObject { ["!"] = new JsonObject { ["var"] = "payload.inApp" } },
                },
            },
        ],
    };
}
