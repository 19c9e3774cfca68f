using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.NovuClient;

namespace XNovu.Tests.Novu;

/// <summary>
/// A transactionId is processed once per environment, as Novu ignores a trigger whose transactionId it already has,
/// whatever the Idempotency-Key: so a retry in another grouping cannot deliver an event twice.
/// </summary>
public sealed class EmulatorTransactionIdTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private readonly EmulatorHost _emulator = fixture.Emulator;

    public Task InitializeAsync() => _emulator.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Bulk_chunk_answered_after_the_client_timeout_and_resent_regrouped_delivers_each_event_once()
    {
        // Novu did the work but answered too late; the caller retries the same events in another grouping, which
        // carries another bulk Idempotency-Key: only the transactionIds keep an event from being delivered twice.
        var impatient = _emulator.CreateClient(timeout: TimeSpan.FromMilliseconds(300));
        var events = Enumerable.Range(0, 4).Select(i => NovuClientFactory.Event($"tx-late-{i}", subscriberId: $"late-{i}")).ToList();
        await _emulator.AddFaultAsync(new { answerLatencyMs = 1500, count = 1, paths = new[] { "/v1/events/trigger/bulk" } });

        var timedOut = await impatient.TriggerBulkAsync(events);
        var regrouped = await _emulator.CreateClient().TriggerBulkAsync([events[2], events[0], NovuClientFactory.Event("tx-late-new", subscriberId: "late-new")]);
        var single = await _emulator.CreateClient().TriggerAsync(events[3]);

        Assert.All(timedOut, o => Assert.Equal(NovuOutcomeKind.Retryable, o.Kind));
        Assert.All(regrouped, o => Assert.True(o.IsSuccess));
        Assert.True(single.IsSuccess);
        var received = await _emulator.EventsAsync();
        Assert.Equal(["tx-late-0", "tx-late-1", "tx-late-2", "tx-late-3", "tx-late-new"], received.Select(e => (string?)e!["transactionId"]).Order());
        var ignored = (await _emulator.Http.GetFromJsonAsync<JsonArray>("/emulator/events/ignored"))!;
        Assert.Equal(["tx-late-0", "tx-late-2", "tx-late-3"], ignored.Select(e => (string?)e!["transactionId"]).Order());
    }
}
