using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using XNovu.Core.Webhooks;
using XNovu.Dispatcher.Dispatch;

namespace XNovu.Dispatcher.Webhooks;

/// <summary>
/// Sends the enterprises' webhooks from the outbox (issue 28). Every replica runs it: claims are
/// <c>FOR UPDATE SKIP LOCKED</c>, so replicas share the outbox. Attempts run side by side, up to
/// <see cref="WebhookOptions.MaxInFlight"/> in this replica and <see cref="WebhookOptions.MaxInFlightPerEndpoint"/>
/// per endpoint; a claim takes no more of an endpoint's messages than its free slots and skips a full one, and a
/// full endpoint that frees a quarter of its slots wakes the next claim, so one slow endpoint holds only its own
/// slots, never a batch, and a busy one keeps all its slots working. Results are recorded in batches by one completion loop. Each request is signed (Standard Webhooks) with
/// the endpoint's secret, and with the previous one too while a rotation's overlap lasts; <c>webhook-id</c> is
/// the message's, the same on every attempt, so a receiver can drop a repeat.
/// </summary>
public sealed partial class WebhookSender(
    WebhookStore store,
    WebhookHttp http,
    WebhookSignal signal,
    IDataProtectionProvider protection,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string SecretPurpose = "XNovu.Webhooks.EndpointSecret";

    private readonly string _worker = $"{Environment.MachineName}/{Environment.ProcessId}/webhooks";
    private readonly IDataProtector _protector = protection.CreateProtector(SecretPurpose);
    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, int> _perEndpoint = new();
    private readonly Channel<WebhookResult> _results = Channel.CreateUnbounded<WebhookResult>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var slots = new SemaphoreSlim(settings.MaxInFlight, settings.MaxInFlight);
        var completing = CompleteLoopAsync(stoppingToken);
        var nextPurge = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (time.GetUtcNow() >= nextPurge)
                {
                    nextPurge = time.GetUtcNow() + TimeSpan.FromMinutes(5);
                    // Batches of 5,000 until the backlog is gone (a busy environment sends that many in seconds).
                    for (var i = 0; i < 1000 && await store.PurgeReceiptsAsync(settings.ReceiptMaxAge, stoppingToken) >= WebhookStore.ReceiptBatch; i++)
                    {
                    }
                }

                await slots.WaitAsync(stoppingToken);
                var free = slots.CurrentCount + 1;
                slots.Release();
                var claimed = await store.ClaimAsync(_worker, Math.Min(settings.BatchSize, free), settings.PerEndpointPerClaim,
                    settings.LeaseSeconds, BusyEndpoints(settings), stoppingToken);
                if (claimed.Count == 0)
                {
                    await signal.WaitAsync(settings.PollInterval, time, stoppingToken);
                    continue;
                }

                foreach (var message in claimed)
                {
                    if (_perEndpoint.GetValueOrDefault(message.EndpointId) >= settings.MaxInFlightPerEndpoint)
                    {
                        // Not expected (the claim takes no more than the endpoint's free slots, which only grow
                        // meanwhile); should it happen, handed back at once, its attempt not counted.
                        var now = time.GetUtcNow();
                        _results.Writer.TryWrite(new WebhookResult(message.MessageId, message.Attempts, WebhookRetrySchedule.Deferred,
                            now + TimeSpan.FromSeconds(1), null, 0, null, null, now));
                        continue;
                    }

                    await slots.WaitAsync(stoppingToken);
                    _perEndpoint.AddOrUpdate(message.EndpointId, 1, (_, n) => n + 1);
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            _results.Writer.TryWrite(await AttemptAsync(message, settings, stoppingToken));
                        }
                        finally
                        {
                            var left = _perEndpoint.AddOrUpdate(message.EndpointId, 0, (_, n) => n - 1);
                            slots.Release();
                            if (left == settings.MaxInFlightPerEndpoint - WakeStep(settings))
                            {
                                // A full endpoint (skipped by the claim) has room for a claim's worth again.
                                signal.Wake();
                            }
                        }
                    }, CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database is away: claimed rows come due again when their lease ends.
                LogPassFailed(logger, e);
                await Task.Delay(settings.PollInterval, time, CancellationToken.None);
            }
        }

        _results.Writer.TryComplete();
        await completing;
    }

    /// <summary>This replica's endpoints with attempts in flight, and the slots each has left (the claim's limit per endpoint).</summary>
    private List<KeyValuePair<Guid, int>> BusyEndpoints(WebhookOptions settings)
    {
        var busy = new List<KeyValuePair<Guid, int>>();
        foreach (var (endpoint, inFlight) in _perEndpoint)
        {
            if (inFlight > 0)
            {
                busy.Add(new(endpoint, Math.Max(0, settings.MaxInFlightPerEndpoint - inFlight)));
            }
            else
            {
                _perEndpoint.TryRemove(new(endpoint, 0));
            }
        }

        return busy;
    }

    /// <summary>Slots a full endpoint frees before the sender claims for it again: a quarter, so claims stay batches.</summary>
    private static int WakeStep(WebhookOptions settings) => Math.Max(1, settings.MaxInFlightPerEndpoint / 4);

    /// <summary>One attempt: sign, post, and decide by the answer (<see cref="WebhookRetrySchedule.Decide"/>).</summary>
    internal async Task<WebhookResult> AttemptAsync(ClaimedWebhook message, WebhookOptions settings, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var watch = Stopwatch.StartNew();
        var body = Encoding.UTF8.GetBytes(message.Payload);
        int? status = null;
        TimeSpan? retryAfter = null;
        string? error = null;
        string? response = null;
        if (body.Length > settings.MaxPayloadBytes)
        {
            return new WebhookResult(message.MessageId, message.Attempts, WebhookRetrySchedule.Failed, null, null, 0,
                $"The payload is {body.Length} bytes, over {settings.MaxPayloadBytes}.", null, started);
        }

        try
        {
            var id = WebhookId(message.MessageId);
            var timestamp = started.ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, message.Url)
            {
                Content = new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } },
            };
            request.Headers.Add(StandardWebhook.IdHeader, id);
            request.Headers.Add(StandardWebhook.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(StandardWebhook.SignatureHeader, StandardWebhook.Sign(id, timestamp, body, Secrets(message, started)));
            using var answer = await http.For(message.AllowPrivate).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            status = (int)answer.StatusCode;
            retryAfter = answer.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - time.GetUtcNow(),
                _ => null,
            };
            if (status is < 200 or >= 300)
            {
                response = await ExcerptAsync(answer, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"No answer within {settings.Timeout.TotalSeconds:0} s.";
        }
        catch (WebhookAddressRefusedException e)
        {
            error = e.Message;
        }
        catch (HttpRequestException e)
        {
            error = $"The request failed: {e.HttpRequestError}.";
        }

        var (outcome, retryAt) = WebhookRetrySchedule.Decide(message.Attempts, status, retryAfter, settings.Schedule, settings.MaxRetryAfter, time.GetUtcNow());
        return new WebhookResult(message.MessageId, message.Attempts, outcome, retryAt, status, (int)watch.ElapsedMilliseconds, error, response, started);
    }

    /// <summary>The webhook-id of an outbox message: stable across its attempts and replays.</summary>
    public static string WebhookId(long messageId) => "msg_" + messageId.ToString(CultureInfo.InvariantCulture);

    private List<string> Secrets(ClaimedWebhook message, DateTimeOffset now)
    {
        var secrets = new List<string>(2) { Unprotect(message.Secret) };
        if (message.PreviousSecret is { } previous && message.PreviousSecretExpiresAt is { } until
            && new DateTimeOffset(DateTime.SpecifyKind(until, DateTimeKind.Utc)) > now)
        {
            secrets.Add(Unprotect(previous));
        }

        return secrets;
    }

    private string Unprotect(string stored)
    {
        if (_secrets.TryGetValue(stored, out var secret))
        {
            return secret;
        }

        if (_secrets.Count > 10_000)
        {
            _secrets.Clear();
        }

        return _secrets[stored] = _protector.Unprotect(stored);
    }

    private static async Task<string> ExcerptAsync(HttpResponseMessage answer, CancellationToken cancellationToken)
    {
        var buffer = new byte[500];
        await using var stream = await answer.Content.ReadAsStreamAsync(cancellationToken);
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private async Task CompleteLoopAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var batch = new List<WebhookResult>(1000);
        while (await _results.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < 1000 && _results.Reader.TryRead(out var result))
            {
                batch.Add(result);
            }

            try
            {
                await store.CompleteAsync(_worker, batch, settings.DisableAfter, CancellationToken.None);
                batch.Clear();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Kept and recorded at the next pass; a lease that ends first makes its message due again.
                LogCompleteFailed(logger, e, batch.Count);
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                await Task.Delay(settings.PollInterval, time, CancellationToken.None);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The webhook sender paused after an error; retrying")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {Count} webhook attempts failed; retrying")]
    private static partial void LogCompleteFailed(ILogger logger, Exception exception, int count);
}
