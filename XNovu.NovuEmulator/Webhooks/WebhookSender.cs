using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using XNovu.NovuEmulator.Events;
using XNovu.NovuEmulator.Messages;

namespace XNovu.NovuEmulator.Webhooks;

/// <summary>
/// Sends what Novu sends once it has worked a trigger (issue 28): for each subscriber and each channel step that
/// ran, a message, and for each message <c>message.sent</c> then <c>message.delivered</c> (or <c>message.failed</c>
/// with the provider's error), in Novu's envelope <c>{id, type, object: "message", data: {object}, timestamp,
/// environmentId}</c>, signed as Novu's Svix does (Standard Webhooks: <c>webhook-id</c>, <c>webhook-timestamp</c>,
/// <c>webhook-signature: v1,...</c> over <c>id.timestamp.body</c>). Off the trigger's path: queued here and sent
/// by one loop, with a few quick retries for an answer that is not 2xx (Svix's schedule, compressed).
/// Signing is written out again rather than shared with XNovu: the emulator stands for Novu, not for XNovu.
/// </summary>
public sealed partial class WebhookSender(
    WebhookSettings settings, IHttpClientFactory httpClients, TimeProvider time, ILogger<WebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "novu-webhooks";
    private static readonly TimeSpan[] Retries = [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];
    private readonly Channel<Outgoing> _queue = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = false });
    private int _pending;

    private sealed record Outgoing(string WebhookId, string Type, string TransactionId, string Body, bool Late);

    /// <summary>
    /// Webhooks queued or being sent, retries included: what the receiver has still to take. The benchmarks wait for
    /// none before a measured round, so that one phase's webhooks are not applied during the next one's figures.
    /// </summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Queues the webhooks of one recorded event's messages: sent, then delivered or failed.</summary>
    public void EventRecorded(ReceivedEvent received, IReadOnlyList<EmulatedMessage> messages)
    {
        var configuration = settings.Current;
        if (string.IsNullOrEmpty(configuration.Url))
        {
            return;
        }

        foreach (var message in messages)
        {
            var events = new List<(string Type, JsonObject Message)>
            {
                ("message.sent", message.ToJson(done: false, listed: false)),
                (message.Failed ? "message.failed" : "message.delivered", message.ToJson(done: true, listed: false)),
            };
            if (settings.Has(WebhookFaults.OutOfOrder))
            {
                events.Reverse();
            }

            foreach (var (type, body) in events)
            {
                var envelope = new JsonObject
                {
                    ["id"] = "evt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
                    ["type"] = type,
                    ["object"] = "message",
                    ["data"] = new JsonObject { ["object"] = body },
                    ["timestamp"] = body["updatedAt"]!.DeepClone(),
                    ["environmentId"] = configuration.EnvironmentId,
                };
                var outgoing = new Outgoing("msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(14)), type,
                    received.TransactionId, envelope.ToJsonString(), settings.Has(WebhookFaults.Late));
                Enqueue(outgoing);
                if (settings.Has(WebhookFaults.Duplicate))
                {
                    Enqueue(outgoing);
                }
            }
        }
    }

    /// <summary>
    /// Queues Novu's <c>preference.updated</c>: sent after every preference write, the API's and the Inbox's alike
    /// (Novu's <c>UpdatePreferences</c> use case), one per level written, its <c>data</c> the level as it now is
    /// (<c>{object: {level, enabled, channels, workflow?}, subscriberId}</c>).
    /// </summary>
    public void PreferenceUpdated(string subscriberId, Subscribers.PreferenceLevelDto preference)
    {
        var configuration = settings.Current;
        if (string.IsNullOrEmpty(configuration.Url))
        {
            return;
        }

        var envelope = new JsonObject
        {
            ["id"] = "evt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            ["type"] = "preference.updated",
            ["object"] = "preference",
            ["data"] = new JsonObject
            {
                ["object"] = System.Text.Json.JsonSerializer.SerializeToNode(preference, Shared.NovuApi.Json),
                ["subscriberId"] = subscriberId,
            },
            ["timestamp"] = time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["environmentId"] = configuration.EnvironmentId,
        };
        Enqueue(new Outgoing("msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(14)), "preference.updated",
            subscriberId, envelope.ToJsonString(), settings.Has(WebhookFaults.Late)));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A few senders side by side, as Svix sends concurrently: order between webhooks is not promised.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SendLoopAsync(stoppingToken)));
    }

    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var outgoing in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await SendAsync(outgoing, stoppingToken);
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(Outgoing outgoing, CancellationToken cancellationToken)
    {
        foreach (var delay in Retries)
        {
            await Task.Delay(delay, time, cancellationToken);
            var configuration = settings.Current;
            if (string.IsNullOrEmpty(configuration.Url) || string.IsNullOrEmpty(configuration.Secret))
            {
                return;
            }

            var timestamp = time.GetUtcNow().ToUnixTimeSeconds() - (outgoing.Late ? 600 : 0);
            var secret = settings.Has(WebhookFaults.BadSignature)
                ? "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
                : configuration.Secret;
            var signature = Sign(secret, outgoing.WebhookId, timestamp, outgoing.Body);
            int? status = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, configuration.Url)
                {
                    Content = new StringContent(outgoing.Body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("webhook-id", outgoing.WebhookId);
                request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.Add("webhook-signature", signature);
                using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException e)
            {
                LogSendFailed(logger, outgoing.Type, e.Message);
            }

            settings.Record(new SentWebhook(outgoing.WebhookId, outgoing.Type, outgoing.TransactionId, outgoing.Body, signature, timestamp, status, time.GetUtcNow()));
            // Svix retries anything but a 2xx; a refusal (4xx) is not worth the wait here.
            if (status is >= 200 and < 500)
            {
                return;
            }
        }
    }

    private void Enqueue(Outgoing outgoing)
    {
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(outgoing))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary><c>v1,</c> and the base64 HMAC-SHA256 of <c>id.timestamp.body</c>, keyed with the secret's base64 after <c>whsec_</c>.</summary>
    public static string Sign(string secret, string webhookId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret);
        var content = Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{webhookId}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Type} webhook could not be sent: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string type, string reason);
}
