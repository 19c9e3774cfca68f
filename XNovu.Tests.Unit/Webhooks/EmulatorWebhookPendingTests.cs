using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XNovu.NovuEmulator;
using XNovu.NovuEmulator.Subscribers;
using XNovu.NovuEmulator.Webhooks;

namespace XNovu.Tests.Unit.Webhooks;

/// <summary>
/// The emulator's count of webhooks still to be taken (<c>GET /emulator/webhooks/pending</c>), which the benchmarks
/// wait on before a measured round: a webhook counts from its queueing until its receiver has answered, and no
/// longer after.
/// </summary>
public sealed class EmulatorWebhookPendingTests
{
    [Fact]
    public async Task A_webhook_is_pending_until_its_receiver_has_answered()
    {
        var receiver = new HeldReceiver();
        var options = Options.Create(new NovuEmulatorOptions
        {
            Webhooks = new WebhookOptions { Url = "http://127.0.0.1:9/hook", Secret = EmulatorSecret },
        });
        var sender = new WebhookSender(new WebhookSettings(options), new Clients(receiver), TimeProvider.System, NullLogger<WebhookSender>.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        sender.PreferenceUpdated("subscriber-1", new PreferenceLevelDto("global", null, true, new Dictionary<string, bool> { ["email"] = false }));
        sender.PreferenceUpdated("subscriber-2", new PreferenceLevelDto("global", null, true, new Dictionary<string, bool> { ["sms"] = false }));
        Assert.Equal(2, sender.Pending);

        await sender.StartAsync(stop.Token);
        await receiver.Arrived.Task.WaitAsync(stop.Token);
        Assert.Equal(2, sender.Pending);

        receiver.Release.SetResult();
        while (sender.Pending > 0)
        {
            await Task.Delay(10, stop.Token);
        }

        Assert.Equal(2, receiver.Calls);
        await sender.StopAsync(CancellationToken.None);
    }

    private const string EmulatorSecret = "whsec_dGVzdC1zZWNyZXQtZm9yLXRoZS1lbXVsYXRvci0zMg==";

    /// <summary>Answers 204 to every webhook, once <see cref="Release"/> is set; the first call sets <see cref="Arrived"/>.</summary>
    private sealed class HeldReceiver : HttpMessageHandler
    {
        private int _calls;

        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => Volatile.Read(ref _calls);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Arrived.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            Interlocked.Increment(ref _calls);
            return new HttpResponseMessage(System.Net.HttpStatusCode.NoContent);
        }
    }

    private sealed class Clients(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
