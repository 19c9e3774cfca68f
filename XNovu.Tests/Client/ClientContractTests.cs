using System.Text.Json.Nodes;
using XNovu.Client;
using XNovu.Client.Api.Models;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Client;

/// <summary>
/// XNovu.Client, generated at build time from the checked-in document, against the running AppHost: each kind
/// of call, and each class of problem surfacing as <see cref="XNovuProblemException"/> with its type.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ClientContractTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Served_document_equals_the_checked_in_one()
    {
        using var http = fixture.CreateHttpClient("api");
        var served = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var checkedIn = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "XNovu.Api", "openapi", "v1.json")));
        Assert.True(JsonNode.DeepEquals(checkedIn, served), "the API serves another document than XNovu.Api/openapi/v1.json");
    }

    [Fact]
    public async Task Trigger_is_stored_and_readable_in_the_list_and_the_detail()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscriber = $"sub-{Guid.NewGuid():N}";

        var accepted = await enterprise.Api.TriggerAsync(
            "default-email", new { subscriberId = subscriber, email = "ann@example.com" }, new { subject = "Hi", body = "Your order shipped" });

        Assert.Equal("default-email", accepted.WorkflowId);
        var id = accepted.NotificationId!.Value;
        var detail = await enterprise.Api.Api.Notifications[id].GetAsync();
        Assert.Equal(id, detail!.Id);
        Assert.Equal(accepted.TransactionId, detail.TransactionId);
        Assert.Contains(detail.Deliveries!, d => d.SubscriberId == subscriber);

        var page = await enterprise.Api.Api.Notifications.GetAsync(c => c.QueryParameters.Limit = 50);
        Assert.Contains(page!.Items!, n => n.Id == id);
    }

    [Fact]
    public async Task Bulk_trigger_answers_each_event_at_its_index()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var good = new TriggerRequest { WorkflowId = "default-email", To = XNovuJson.From("ann"), Payload = XNovuJson.From(new { subject = "Hi", body = "One" }) };
        var unknown = new TriggerRequest { WorkflowId = "no-such-workflow", To = XNovuJson.From("bob"), Payload = XNovuJson.From(new { }) };

        var answer = await enterprise.Api.Api.Trigger.Bulk.PostAsync(new BulkTriggerRequest { Events = [good, unknown] });

        Assert.Equal(1, answer!.Accepted);
        Assert.Equal(1, answer.Rejected);
        Assert.Equal(202, answer.Results![0].Status);
        Assert.NotNull(answer.Results[0].NotificationId);
        Assert.Equal(1, answer.Results[1].Index);
        Assert.InRange(answer.Results[1].Status!.Value, 400, 499);
    }

    [Fact]
    public async Task Template_create_preview_publish_round()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = $"contract-{Guid.NewGuid():N}"[..24];

        var created = await enterprise.Api.Api.Templates.PostAsync(Template(key));
        Assert.Equal(key, created!.TemplateKey);
        Assert.Equal("DRAFT", created.PublishStatus);

        var preview = await enterprise.Api.Api.Templates.Preview.PostAsync(new PreviewRequest
        {
            TemplateKey = key,
            Payload = XNovuJson.From(new { name = "Ada" }),
            Subscriber = XNovuJson.From(new { subscriberId = "ann" }),
        });
        Assert.Equal("Hi Ada", preview!.Subject);
        Assert.Contains("Hello Ada", preview.Body);

        var published = await enterprise.Api.Api.Templates[key].Publish.PostAsync();
        Assert.Equal("PUBLISH", published!.PublishStatus);
        var read = await enterprise.Api.Api.Templates[key].GetAsync();
        Assert.Equal("PUBLISH", read!.PublishStatus);
    }

    [Fact]
    public async Task Each_class_of_problem_is_one_typed_exception_with_its_type()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var api = enterprise.Api.Api;
        var key = $"contract-{Guid.NewGuid():N}"[..24];

        // 400: a field of the wrong JSON type.
        var malformed = Template(key);
        malformed.Name = null;
        malformed.AdditionalData["name"] = 5;
        await AssertProblemAsync(400, ProblemTypes.MalformedRequest, () => api.Templates.PostAsync(malformed));

        // 401: an unknown key.
        var stranger = fixture.CreateXNovuClient("xn_unknown_key_that_is_long_enough");
        await AssertProblemAsync(401, ProblemTypes.Unauthorized, () => stranger.Api.Templates.GetAsync());

        // 403: a trigger naming another enterprise.
        var elsewhere = new TriggerRequest
        {
            WorkflowId = "default-email", To = XNovuJson.From("ann"), Payload = XNovuJson.From(new { subject = "Hi", body = "x" }), EnterpriseId = Guid.NewGuid(),
        };
        await AssertProblemAsync(403, ProblemTypes.Forbidden, () => api.Trigger.PostAsync(elsewhere));

        // 404 and 409.
        await AssertProblemAsync(404, ProblemTypes.NotFound, () => api.Templates[$"missing-{key}"].GetAsync());
        await api.Templates.PostAsync(Template(key));
        await AssertProblemAsync(409, ProblemTypes.Conflict, () => api.Templates.PostAsync(Template(key)));

        // 413: a body over the management limit; Expect: 100-continue lets the server refuse before the upload.
        var huge = Template($"{key}-big");
        huge.BodyTemplate = new string('x', 1_100_000);
        await AssertProblemAsync(413, ProblemTypes.PayloadTooLarge, () => api.Templates.PostAsync(huge, c => c.Headers.Add("Expect", "100-continue")));

        // 422 with the failing field.
        var incomplete = Template($"{key}-bad");
        incomplete.BodyTemplate = null;
        var invalid = await AssertProblemAsync(422, ProblemTypes.Validation, () => api.Templates.PostAsync(incomplete));
        Assert.Contains("bodyTemplate", invalid.Errors.Keys);
    }

    [Fact]
    public async Task Rate_limited_trigger_is_a_typed_429_with_Retry_After_once_retries_are_spent()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await fixture.CreateAdminXNovuClient().Api.Admin.Enterprises[enterprise.Id].RateLimit.PutAsync(new RateLimitRequest { TriggersPerSecond = 1 });
        var impatient = fixture.CreateXNovuClient(enterprise.ApiKey, maxRetries: 0);

        // Looks for the 429 among other answers: under load the first trigger after start has been seen to
        // answer 500 (the Redis rate-limit script cancelled, a server issue of its own), which is not this test's.
        XNovuProblemException? refused = null;
        var others = new List<string>();
        for (var i = 0; i < 20 && refused is null; i++)
        {
            try
            {
                await impatient.TriggerAsync("default-email", "ann", new { subject = "Hi", body = "x" });
            }
            catch (XNovuProblemException problem) when (problem.Status == 429)
            {
                refused = problem;
            }
            catch (XNovuProblemException problem)
            {
                others.Add($"{problem.Status} {problem.Type}");
            }
        }

        Assert.True(refused is not null, $"no 429 in 20 triggers at 1/s; other answers: {string.Join(", ", others)}");
        Assert.Equal(429, refused.Status);
        Assert.Equal(ProblemTypes.RateLimited, refused.Type);
        Assert.NotNull(refused.RetryAfter);

        // The patient client waits out Retry-After and gets through.
        var accepted = await enterprise.Api.TriggerAsync("default-email", "ann", new { subject = "Hi", body = "x" });
        Assert.NotNull(accepted.NotificationId);
    }

    private static TemplateRequest Template(string key) => new()
    {
        TemplateKey = key,
        Name = "Contract template",
        ChannelType = "EMAIL",
        SubjectTemplate = "Hi {{ payload.name }}",
        BodyTemplate = "Hello {{ payload.name }}",
    };

    private static async Task<XNovuProblemException> AssertProblemAsync(int status, string type, Func<Task> call)
    {
        var problem = await Assert.ThrowsAsync<XNovuProblemException>(call);
        Assert.True(problem.Status == status && problem.Type == type, $"expected {status} {type}, got {problem.Status} {problem.Type}: {problem.Detail}");
        return problem;
    }
}
