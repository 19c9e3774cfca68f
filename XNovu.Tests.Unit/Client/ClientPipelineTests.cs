using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using XNovu.Client;
using XNovu.Client.Api;

namespace XNovu.Tests.Unit.Client;

/// <summary>The hand-written layer of XNovu.Client, against a scripted server: retries, keys and problems.</summary>
public sealed class ClientPipelineTests
{
    private const string Accepted = """{"notificationId":7,"transactionId":"t-7","status":"PENDING","workflowId":"default-email"}""";

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Refusal_with_Retry_After_is_retried_after_it_with_the_same_Idempotency_Key(HttpStatusCode refusal)
    {
        var server = new ScriptedServer(
            _ => Problem(refusal, refusal == HttpStatusCode.TooManyRequests ? ProblemTypes.RateLimited : ProblemTypes.Unavailable, retryAfterSeconds: 1),
            _ => Json(HttpStatusCode.Accepted, Accepted));
        using var services = Build(server);
        var client = services.GetRequiredService<XNovuApiClient>();

        var watch = Stopwatch.StartNew();
        var accepted = await client.TriggerAsync("default-email", "ann", new { subject = "Hi", body = "There" });
        watch.Stop();

        Assert.Equal(7, accepted.NotificationId);
        Assert.Equal(2, server.Requests.Count);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {watch.Elapsed}, before Retry-After");
        var keys = server.Requests.Select(r => r.Headers.GetValues("Idempotency-Key").Single()).Distinct().ToList();
        Assert.Single(keys);
        Assert.All(server.Requests, r => Assert.Equal("Bearer test-key-123456", r.Headers.Authorization?.ToString()));
        Assert.Equal("/api/trigger", server.Requests[0].RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task Each_trigger_gets_its_own_key_and_a_given_key_is_kept()
    {
        var server = new ScriptedServer(_ => Json(HttpStatusCode.Accepted, Accepted));
        using var services = Build(server);
        var client = services.GetRequiredService<XNovuApiClient>();

        await client.TriggerAsync("default-email", "ann");
        await client.TriggerAsync("default-email", "ann");
        await client.TriggerAsync("default-email", "ann", idempotencyKey: "order-42");

        var keys = server.Requests.Select(r => r.Headers.GetValues("Idempotency-Key").Single()).ToList();
        Assert.NotEqual(keys[0], keys[1]);
        Assert.Equal("order-42", keys[2]);
    }

    [Fact]
    public async Task Problem_answer_is_one_typed_exception_with_type_title_status_and_field_errors()
    {
        var server = new ScriptedServer(_ => Json(
            HttpStatusCode.UnprocessableEntity,
            """{"type":"https://xnovu.dev/problems/validation","title":"Validation failed","status":422,"detail":"One or more fields are invalid.","errors":{"workflowId":["is required."]}}""",
            "application/problem+json"));
        using var services = Build(server);
        var client = services.GetRequiredService<XNovuApiClient>();

        var problem = await Assert.ThrowsAsync<XNovuProblemException>(() => client.TriggerAsync("", "ann"));

        Assert.Equal(ProblemTypes.Validation, problem.Type);
        Assert.Equal("Validation failed", problem.Title);
        Assert.Equal(422, problem.Status);
        Assert.Equal(["is required."], problem.Errors["workflowId"]);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Refusal_that_outlasts_the_retries_is_thrown_with_its_Retry_After()
    {
        var server = new ScriptedServer(_ => Problem(HttpStatusCode.TooManyRequests, ProblemTypes.RateLimited, retryAfterSeconds: 1));
        using var services = Build(server, maxRetries: 1);
        var client = services.GetRequiredService<XNovuApiClient>();

        var problem = await Assert.ThrowsAsync<XNovuProblemException>(() => client.TriggerAsync("default-email", "ann"));

        Assert.Equal(ProblemTypes.RateLimited, problem.Type);
        Assert.Equal(TimeSpan.FromSeconds(1), problem.RetryAfter);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Other_errors_are_not_retried()
    {
        var server = new ScriptedServer(_ => Problem(HttpStatusCode.InternalServerError, ProblemTypes.Internal));
        using var services = Build(server);
        var client = services.GetRequiredService<XNovuApiClient>();

        var problem = await Assert.ThrowsAsync<XNovuProblemException>(() => client.Api.Templates.GetAsync());

        Assert.Equal(500, problem.Status);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Host_default_resilience_does_not_repeat_a_write_whose_connection_was_lost()
    {
        var server = new ScriptedServer(_ => throw new HttpRequestException("connection reset"));
        using var services = Build(server, hostDefaults: true);
        var client = services.GetRequiredService<XNovuApiClient>();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.Api.Templates.PostAsync(new XNovu.Client.Api.Models.TemplateRequest
        {
            TemplateKey = "welcome",
            Name = "Welcome",
            BodyTemplate = "Hi",
        }));

        Assert.Single(server.Requests);
    }

    private static ServiceProvider Build(ScriptedServer server, int maxRetries = 3, bool hostDefaults = false)
    {
        var services = new ServiceCollection();
        if (hostDefaults)
        {
            // What Aspire's ServiceDefaults do for every HttpClient of a host.
            services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        }

        services.AddXNovuClient(o =>
            {
                o.BaseAddress = new Uri("http://xnovu.test");
                o.ApiKey = "test-key-123456";
                o.MaxRetries = maxRetries;
            })
            .ConfigurePrimaryHttpMessageHandler(() => server);
        return services.BuildServiceProvider();
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string body, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    private static HttpResponseMessage Problem(HttpStatusCode status, string type, int? retryAfterSeconds = null)
    {
        var response = Json(status, $$"""{"type":"{{type}}","title":"Refused","status":{{(int)status}}}""", "application/problem+json");
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return response;
    }

    /// <summary>Answers the n-th request with the n-th script entry (the last one repeats) and keeps what it got.</summary>
    private sealed class ScriptedServer(params Func<HttpRequestMessage, HttpResponseMessage>[] script) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add(request);
                return Task.FromResult(script[Math.Min(Requests.Count, script.Length) - 1](request));
            }
        }
    }
}
