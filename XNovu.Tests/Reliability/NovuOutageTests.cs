using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Reliability;

/// <summary>Novu (the emulator) answering 503 for a while costs latency, never a delivery and never a duplicate.</summary>
[Collection(AppCollection.Name)]
public sealed class NovuOutageTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private const int Notifications = 20;

    [Fact]
    public async Task Novu_answering_503_for_five_seconds_delays_deliveries_but_loses_and_duplicates_none()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await Harness.AddFaultAsync(new { statusCode = 503, durationSeconds = 5 });
        var inserted = new List<(long Id, string TransactionId)>();
        for (var i = 0; i < Notifications; i++)
        {
            inserted.Add(await Harness.InsertNotificationAsync(enterprise.Id, "default-sms", $$"""{"body":"outage {{i}}"}""", $$"""["novu-outage-{{i}}"]"""));
        }

        foreach (var (id, _) in inserted)
        {
            await Eventually.WaitForAsync(() => Harness.StateAsync(id)!, s => s?.Status == "SENT", TimeSpan.FromSeconds(90), $"notification {id} to be SENT");
        }

        foreach (var (_, transactionId) in inserted)
        {
            // EventsAsync filters by prefix: xnovu-12 would also find xnovu-120.
            Assert.Single(await Harness.EventsAsync(transactionId), e => (string?)e!["transactionId"] == transactionId);
        }

        Assert.Contains(await Harness.RequestsAsync(), r => (int?)r!["status"] == 503);
    }
}
