using XNovu.Tests.Dispatch;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Reliability;

/// <summary>Novu (the emulator) answering 503 for a while costs latency, never a delivery and never a duplicate.</summary>
[Collection(AppCollection.Name)]
public sealed class NovuOutageTests(XNovuAppFixture fixture) : IAsyncLifetime
{
    private const int Notifications = 20;
    private readonly DispatchHarness _harness = new(fixture);

    public Task InitializeAsync() => _harness.ResetEmulatorAsync();

    public async Task DisposeAsync()
    {
        await _harness.ResetEmulatorAsync();
        await _harness.DisposeAsync();
    }

    [Fact]
    public async Task Novu_answering_503_for_five_seconds_delays_deliveries_but_loses_and_duplicates_none()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await _harness.AddFaultAsync(new { statusCode = 503, durationSeconds = 5 });
        var inserted = new List<(long Id, string TransactionId)>();
        for (var i = 0; i < Notifications; i++)
        {
            inserted.Add(await _harness.InsertNotificationAsync(enterprise.Id, "default-sms", $$"""{"body":"outage {{i}}"}""", $$"""["novu-outage-{{i}}"]"""));
        }

        foreach (var (id, _) in inserted)
        {
            await Eventually.WaitForAsync(() => _harness.StateAsync(id)!, s => s?.Status == "SENT", TimeSpan.FromSeconds(90), $"notification {id} to be SENT");
        }

        foreach (var (_, transactionId) in inserted)
        {
            // EventsAsync filters by prefix: xnovu-12 would also find xnovu-120.
            Assert.Single(await _harness.EventsAsync(transactionId), e => (string?)e!["transactionId"] == transactionId);
        }

        Assert.Contains(await _harness.RequestsAsync(), r => (int?)r!["status"] == 503);
    }
}
