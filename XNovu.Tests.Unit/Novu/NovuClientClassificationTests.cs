using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using XNovu.NovuClient;

namespace XNovu.Tests.Unit.Novu;

/// <summary>Every answer class becomes a typed outcome; only the caller's cancellation throws.</summary>
public sealed class NovuClientClassificationTests
{
    [Fact]
    public async Task Processed_201_is_success_with_novus_transaction_id()
    {
        var client = NovuClientFactory.Create(new FakeNovuHandler(_ => FakeNovuHandler.Processed("tx-1")));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Success, outcome.Kind);
        Assert.Equal(201, outcome.HttpStatus);
        Assert.Equal("processed", outcome.NovuStatus);
        Assert.Equal("tx-1", outcome.TransactionId);
        Assert.Null(outcome.RetryAfter);
        Assert.False(outcome.IdempotencyReplayed);
    }

    [Theory]
    [InlineData("trigger_not_active")]
    [InlineData("no_workflow_active_steps_defined")]
    [InlineData("no_workflow_steps_defined")]
    [InlineData("no_tenant_found")]
    [InlineData("invalid_recipients")]
    [InlineData("error")]
    public async Task A_201_with_a_status_other_than_processed_is_terminal(string status)
    {
        var client = NovuClientFactory.Create(new FakeNovuHandler(_ => FakeNovuHandler.Json(HttpStatusCode.Created,
            $$$"""{"data":{"acknowledged":true,"status":"{{{status}}}","transactionId":"tx-1","error":["workflow is off"]}}""")));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Terminal, outcome.Kind);
        Assert.Equal(201, outcome.HttpStatus);
        Assert.Equal(status, outcome.NovuStatus);
        Assert.Contains("workflow is off", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_201_without_a_readable_status_is_terminal()
    {
        var client = NovuClientFactory.Create(new FakeNovuHandler(_ => FakeNovuHandler.Json(HttpStatusCode.Created, "<html>proxy</html>")));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Terminal, outcome.Kind);
        Assert.Null(outcome.NovuStatus);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(402)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(413)]
    [InlineData(422)]
    public async Task Client_errors_are_terminal_with_novus_message(int status)
    {
        var client = NovuClientFactory.Create(new FakeNovuHandler(_ => FakeNovuHandler.Error(status, "told you so")));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Terminal, outcome.Kind);
        Assert.Equal(status, outcome.HttpStatus);
        Assert.Equal("told you so", outcome.Message);
        Assert.Equal("tx-1", outcome.TransactionId);
        Assert.Null(outcome.RetryAfter);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(409)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Timeouts_conflicts_and_server_errors_are_retryable(int status)
    {
        var client = NovuClientFactory.Create(new FakeNovuHandler(_ => FakeNovuHandler.Error(status)));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Retryable, outcome.Kind);
        Assert.Equal(status, outcome.HttpStatus);
    }

    [Fact]
    public async Task Idempotent_request_in_progress_409_is_retryable_after_one_second()
    {
        var client = NovuClientFactory.Create(new FakeNovuHandler(_ =>
            FakeNovuHandler.Json(HttpStatusCode.Conflict, """{"statusCode":409,"message":"in progress"}""", r => r.Headers.Add("Retry-After", "1"))));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Retryable, outcome.Kind);
        Assert.Equal(TimeSpan.FromSeconds(1), outcome.RetryAfter);
    }

    [Fact]
    public async Task Rate_limited_429_is_retryable_after_its_Retry_After()
    {
        var client = NovuClientFactory.Create(new FakeNovuHandler(_ => FakeNovuHandler.Json(HttpStatusCode.TooManyRequests,
            """{"statusCode":429,"message":"API rate limit exceeded"}""",
            r =>
            {
                r.Headers.Add("Retry-After", "7");
                r.Headers.Add("RateLimit-Reset", "3");
            })));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Retryable, outcome.Kind);
        Assert.Equal(429, outcome.HttpStatus);
        Assert.Equal(TimeSpan.FromSeconds(7), outcome.RetryAfter);
    }

    [Fact]
    public async Task Rate_limited_429_without_Retry_After_waits_for_RateLimit_Reset()
    {
        var client = NovuClientFactory.Create(new FakeNovuHandler(_ => FakeNovuHandler.Json(HttpStatusCode.TooManyRequests,
            """{"statusCode":429,"message":"API rate limit exceeded"}""", r => r.Headers.Add("RateLimit-Reset", "3"))));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Retryable, outcome.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), outcome.RetryAfter);
    }

    [Fact]
    public async Task Retry_After_given_as_a_date_is_measured_from_the_injected_clock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var client = NovuClientFactory.Create(
            new FakeNovuHandler(_ => FakeNovuHandler.Json(HttpStatusCode.ServiceUnavailable, "{}",
                r => r.Headers.RetryAfter = new RetryConditionHeaderValue(time.GetUtcNow().AddSeconds(30)))),
            time);

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Retryable, outcome.Kind);
        Assert.Equal(TimeSpan.FromSeconds(30), outcome.RetryAfter);
    }

    [Fact]
    public async Task A_429_holds_back_the_next_trigger_until_Retry_After_has_passed()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var calls = 0;
        var handler = new FakeNovuHandler(_ => ++calls == 1
            ? FakeNovuHandler.Json(HttpStatusCode.TooManyRequests, "{}", r => r.Headers.Add("Retry-After", "2"))
            : FakeNovuHandler.Processed());
        var client = NovuClientFactory.Create(handler, time);

        await client.TriggerAsync(NovuClientFactory.Event("tx-1"));
        var next = client.TriggerAsync(NovuClientFactory.Event("tx-1"));
        time.Advance(TimeSpan.FromSeconds(1.9));

        Assert.False(next.IsCompleted);
        Assert.Single(handler.Requests);
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(NovuOutcomeKind.Success, (await next).Kind);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task No_answer_within_the_timeout_is_retryable()
    {
        var handler = new FakeNovuHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return FakeNovuHandler.Processed();
        });
        var client = NovuClientFactory.Create(handler, TimeProvider.System, timeout: TimeSpan.FromMilliseconds(100));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Retryable, outcome.Kind);
        Assert.Null(outcome.HttpStatus);
        Assert.Contains("did not answer", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_error_is_retryable()
    {
        var client = NovuClientFactory.Create(new FakeNovuHandler(_ => throw new HttpRequestException("Connection refused")));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Retryable, outcome.Kind);
        Assert.Null(outcome.HttpStatus);
        Assert.Contains("Connection refused", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bulk_connection_error_is_retryable_for_every_event()
    {
        var client = NovuClientFactory.Create(new FakeNovuHandler(_ => throw new HttpRequestException("Connection refused")));

        var outcomes = await client.TriggerBulkAsync([NovuClientFactory.Event("tx-1"), NovuClientFactory.Event("tx-2")]);

        Assert.Equal(["tx-1", "tx-2"], outcomes.Select(o => o.TransactionId));
        Assert.All(outcomes, o => Assert.Equal(NovuOutcomeKind.Retryable, o.Kind));
    }

    [Fact]
    public async Task Caller_cancellation_propagates_as_OperationCanceledException()
    {
        var handler = new FakeNovuHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return FakeNovuHandler.Processed();
        });
        var client = NovuClientFactory.Create(handler, TimeProvider.System);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.TriggerAsync(NovuClientFactory.Event("tx-1"), cancellationToken: cts.Token));
    }

    [Fact]
    public async Task Replayed_answer_is_flagged()
    {
        var client = NovuClientFactory.Create(new FakeNovuHandler(_ =>
        {
            var response = FakeNovuHandler.Processed();
            response.Headers.Add("Idempotency-Replay", "true");
            return response;
        }));

        var outcome = await client.TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.True(outcome.IsSuccess);
        Assert.True(outcome.IdempotencyReplayed);
    }
}
