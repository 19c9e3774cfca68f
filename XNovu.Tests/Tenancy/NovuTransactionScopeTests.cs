using System.Net;
using System.Text.Json.Nodes;
using XNovu.Core.Novu;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Tenancy;

/// <summary>
/// Two enterprises share one Novu environment, where a transactionId and an Idempotency-Key are one namespace:
/// the same caller transaction id of two enterprises reaches Novu as two ids, so neither fails the other's
/// notification (a 422 for a reused key) nor cancels the other's events.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class NovuTransactionScopeTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task Two_enterprises_triggering_with_the_same_transaction_id_are_both_sent_under_distinct_Novu_ids()
    {
        var (a, b, transactionId, sentA, sentB) = await BothSentAsync();

        var events = await Harness.EventsAsync(transactionId);
        var ofA = Assert.Single(events, e => (string?)e!["novuTransactionId"] == NovuNames.TransactionId(a.Id, transactionId))!;
        var ofB = Assert.Single(events, e => (string?)e!["novuTransactionId"] == NovuNames.TransactionId(b.Id, transactionId))!;
        Assert.Equal(NovuNames.SubscriberId(a.Id, "ann"), (string?)ofA["subscriberIds"]![0]);
        Assert.Equal(NovuNames.SubscriberId(b.Id, "bob"), (string?)ofB["subscriberIds"]![0]);
        Assert.Equal(NovuNames.TransactionId(a.Id, transactionId), (string?)ofA["idempotencyKey"]);
        Assert.Equal(NovuNames.TransactionId(b.Id, transactionId), (string?)ofB["idempotencyKey"]);
        // The callers still see their own id.
        Assert.Equal(transactionId, (string?)sentA["transactionId"]);
        Assert.Equal(transactionId, (string?)sentB["transactionId"]);
    }

    [Fact]
    public async Task A_cancel_by_one_enterprise_never_reaches_another_enterprises_events_with_the_same_transaction_id()
    {
        var (a, b, transactionId, sentA, _) = await BothSentAsync();
        // Handed to Novu but not done with (a delay step still waiting there): what a cancel asks Novu to stop.
        await fixture.ForceStatusAsync(sentA.Id(), "PROCESSING", "SENT");

        var cancel = await a.Client.OkAsync(HttpMethod.Post, $"/api/notifications/{sentA.Id()}/cancel", new { reason = "changed my mind" });

        var cancellation = Assert.Single(cancel["novuCancellations"]!.AsArray())!;
        Assert.Equal(transactionId, (string?)cancellation["transactionId"]);
        Assert.True((bool)cancellation["cancelled"]!);
        var events = await Harness.EventsAsync(transactionId);
        Assert.True((bool)Assert.Single(events, e => (string?)e!["novuTransactionId"] == NovuNames.TransactionId(a.Id, transactionId))!["cancelled"]!);
        Assert.False((bool)Assert.Single(events, e => (string?)e!["novuTransactionId"] == NovuNames.TransactionId(b.Id, transactionId))!["cancelled"]!);
    }

    /// <summary>A, then B, trigger the same transaction id with their own recipient and body; both end SENT.</summary>
    private async Task<(TestEnterprise A, TestEnterprise B, string TransactionId, JsonObject SentA, JsonObject SentB)> BothSentAsync()
    {
        var a = await fixture.CreateEnterpriseAsync("Scope A");
        var b = await fixture.CreateEnterpriseAsync("Scope B");
        var transactionId = $"order-{Guid.NewGuid():N}"[..16];

        var acceptedA = await a.Client.AcceptedAsync(TriggerApi.Trigger(
            "default-sms", to: "ann", payload: new { body = "A's order shipped" }, extra: new() { ["transactionId"] = transactionId }));
        await Harness.WaitForStatusAsync(acceptedA.Id(), "SENT");
        var acceptedB = await b.Client.AcceptedAsync(TriggerApi.Trigger(
            "default-sms", to: "bob", payload: new { body = "B's order shipped" }, extra: new() { ["transactionId"] = transactionId }));
        var stateB = await Harness.WaitForStatusAsync(acceptedB.Id(), "SENT");

        Assert.Equal(["SENT"], stateB.DeliveryStatuses);
        Assert.Equal(HttpStatusCode.OK, (await a.Client.GetAsync($"/api/notifications/{acceptedA.Id()}")).StatusCode);
        return (a, b, transactionId, acceptedA, acceptedB);
    }
}
