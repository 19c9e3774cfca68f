using System.Net;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;
using static XNovu.Tests.Infrastructure.TriggerApi;

namespace XNovu.Tests.Triggers;

[Collection(AppCollection.Name)]
public sealed class IdempotencyTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Same_key_and_body_answers_the_first_result_and_creates_nothing_more()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = Guid.NewGuid().ToString();
        var body = Trigger();

        var first = await enterprise.Client.PostTriggerAsync(body, key);
        var second = await enterprise.Client.PostTriggerAsync(body, key);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal((await first.ReadObjectAsync()).ToJsonString(), (await second.ReadObjectAsync()).ToJsonString());
        Assert.False(first.Headers.Contains("Idempotency-Replay"));
        Assert.Equal("true", Assert.Single(second.Headers.GetValues("Idempotency-Replay")));
        Assert.Equal(1, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Same_key_with_another_body_is_422_and_creates_nothing()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = Guid.NewGuid().ToString();
        await enterprise.Client.AcceptedAsync(Trigger(payload: new { body = "first" }), key);

        var answer = await enterprise.Client.PostTriggerAsync(Trigger(payload: new { body = "second" }), key);

        (await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType)).FieldError("Idempotency-Key");
        Assert.Equal(1, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Concurrent_first_requests_with_one_key_store_one_notification_and_all_answer_it()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = Guid.NewGuid().ToString();
        var body = Trigger();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => enterprise.Client.PostTriggerAsync(body, key)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        var ids = await Task.WhenAll(answers.Select(async a => (await a.ReadObjectAsync()).Id()));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Concurrent_first_requests_with_one_key_and_a_callers_transactionId_all_answer_the_one_notification()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = Guid.NewGuid().ToString();
        var body = Trigger(extra: new() { ["transactionId"] = $"tx-{Guid.NewGuid():N}" });

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => enterprise.Client.PostTriggerAsync(body, key)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        Assert.Equal(1, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Keys_are_per_enterprise_and_a_failed_request_stores_no_answer()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        var key = Guid.NewGuid().ToString();

        var unknown = await a.Client.PostTriggerAsync(Trigger(workflowId: Key("missing")), key);
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
        var retried = await a.Client.AcceptedAsync(Trigger(), key);
        var other = await b.Client.AcceptedAsync(Trigger(), key);

        Assert.NotEqual(retried.Id(), other.Id());
        Assert.Equal(1, await fixture.CountNotificationsAsync(a.Id));
        Assert.Equal(1, await fixture.CountNotificationsAsync(b.Id));
    }

    [Fact]
    public async Task Key_longer_than_255_characters_is_400()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var answer = await enterprise.Client.PostTriggerAsync(Trigger(), new string('k', 256));

        (await answer.AssertProblemAsync(HttpStatusCode.BadRequest, MalformedType)).FieldError("Idempotency-Key");
    }

    [Fact]
    public async Task Bulk_replay_with_the_same_key_answers_the_first_results()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = Guid.NewGuid().ToString();
        var json = BulkTriggerTests.Events(Trigger(), Trigger(workflowId: Key("missing")));

        var first = await enterprise.Client.PostJsonAsync("/api/trigger/bulk", json, key);
        var second = await enterprise.Client.PostJsonAsync("/api/trigger/bulk", json, key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal((await first.ReadObjectAsync()).ToJsonString(), (await second.ReadObjectAsync()).ToJsonString());
        Assert.Equal(1, await fixture.CountNotificationsAsync(enterprise.Id));
    }
}
