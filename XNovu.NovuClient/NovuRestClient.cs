using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace XNovu.NovuClient;

public sealed class NovuRestClient : INovuClient
{
    /// <summary>Novu rejects a whole bulk call above this.</summary>
    public const int MaxBulkEvents = 100;

    /// <summary>Novu charges a bulk call this many trigger tokens, whatever its size.</summary>
    public const double BulkCost = 100;

    public const int MaxIdempotencyKeyLength = 255;

    private const string TriggerPath = "v1/events/trigger";
    private const string BulkPath = "v1/events/trigger/bulk";

    private readonly Func<HttpClient> _http;
    private readonly NovuClientOptions _options;
    private readonly TokenBucket _triggerBucket;
    private readonly TimeProvider _time;

    public NovuRestClient(HttpClient http, IOptions<NovuClientOptions> options, NovuTriggerThrottle throttle, TimeProvider time)
        : this(() => http, options.Value, throttle.Bucket, time)
    {
    }

    /// <summary>
    /// One Novu environment's client (<see cref="NovuClientPool"/>): <paramref name="http"/> hands out an
    /// HttpClient from IHttpClientFactory per call, so the pooled handlers still rotate while this client is cached.
    /// </summary>
    internal NovuRestClient(Func<HttpClient> http, NovuClientOptions options, TokenBucket triggerBucket, TimeProvider time)
    {
        _http = http;
        _options = options;
        _triggerBucket = triggerBucket;
        _time = time;
        Subscribers = new NovuSubscribers(this);
        Workflows = new NovuWorkflows(this);
        Preferences = new NovuPreferences(this);
        Messages = new NovuMessages(this);
    }

    public INovuSubscribers Subscribers { get; }

    public INovuWorkflows Workflows { get; }

    public INovuPreferences Preferences { get; }

    public INovuMessages Messages { get; }

    public async Task<NovuOutcome> TriggerAsync(TriggerRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireTransactionId(request);
        idempotencyKey ??= request.TransactionId;
        if (idempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            throw new ArgumentException($"An Idempotency-Key is at most {MaxIdempotencyKeyLength} characters.", nameof(idempotencyKey));
        }

        await _triggerBucket.AcquireAsync(1, cancellationToken);
        var answer = await SendAsync(HttpMethod.Post, TriggerPath, request, idempotencyKey, cancellationToken);
        PauseOnRateLimit(answer);
        if (!answer.IsSuccessStatus)
        {
            return answer.ToFailure(request.TransactionId);
        }

        return ReadTriggerOutcome(answer, answer.Data, request.TransactionId);
    }

    public async Task<IReadOnlyList<NovuOutcome>> TriggerBulkAsync(IReadOnlyList<TriggerRequest> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var request in events)
        {
            RequireTransactionId(request);
        }

        var outcomes = new List<NovuOutcome>(events.Count);
        foreach (var chunk in events.Chunk(MaxBulkEvents))
        {
            await _triggerBucket.AcquireAsync(BulkCost, cancellationToken);
            var answer = await SendAsync(HttpMethod.Post, BulkPath, new BulkTriggerRequest(chunk), BulkIdempotencyKey(chunk), cancellationToken);
            PauseOnRateLimit(answer);
            if (!answer.IsSuccessStatus)
            {
                // The whole chunk shares the fate of its one HTTP call.
                outcomes.AddRange(chunk.Select(e => answer.ToFailure(e.TransactionId)));
                continue;
            }

            var items = answer.Data is { ValueKind: JsonValueKind.Array } data ? data.EnumerateArray().ToArray() : [];
            for (var i = 0; i < chunk.Length; i++)
            {
                outcomes.Add(ReadTriggerOutcome(answer, i < items.Length ? items[i] : null, chunk[i].TransactionId));
            }
        }

        return outcomes;
    }

    public async Task<NovuOutcome<bool>> CancelAsync(string transactionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(transactionId);
        var answer = await SendAsync(HttpMethod.Delete, $"{TriggerPath}/{Uri.EscapeDataString(transactionId)}", null, null, cancellationToken);
        return ToOutcome(answer, data => data.ValueKind == JsonValueKind.True, transactionId);
    }

    internal NovuOutcome<T> ToOutcome<T>(NovuAnswer answer, Func<JsonElement, T?> read, string? transactionId = null)
    {
        if (!answer.IsSuccessStatus)
        {
            var failure = answer.ToFailure(transactionId);
            return new NovuOutcome<T>
            {
                Kind = failure.Kind,
                HttpStatus = failure.HttpStatus,
                Message = failure.Message,
                RetryAfter = failure.RetryAfter,
                TransactionId = transactionId,
                IdempotencyReplayed = failure.IdempotencyReplayed,
            };
        }

        T? value;
        try
        {
            value = answer.Data is JsonElement data ? read(data) : default;
        }
        catch (JsonException ex)
        {
            return new NovuOutcome<T>
            {
                Kind = NovuOutcomeKind.Terminal,
                HttpStatus = answer.HttpStatus,
                Message = $"Unreadable Novu answer: {ex.Message}",
                TransactionId = transactionId,
            };
        }

        return new NovuOutcome<T>
        {
            Kind = NovuOutcomeKind.Success,
            HttpStatus = answer.HttpStatus,
            TransactionId = transactionId,
            IdempotencyReplayed = answer.Replayed,
            Value = value,
        };
    }

    internal async Task<NovuAnswer> SendAsync(HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", _options.SecretKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: NovuJson.Options);
        }

        try
        {
            using var response = await _http().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return await NovuAnswer.ReadAsync(response, _time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Not the caller's token, so HttpClient.Timeout (or a dropped connection) fired.
            return NovuAnswer.NoAnswer($"Novu did not answer within {_options.Timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException ex)
        {
            return NovuAnswer.NoAnswer($"Could not reach Novu: {ex.Message}");
        }
    }

    private static NovuOutcome ReadTriggerOutcome(NovuAnswer answer, JsonElement? item, string requestedTransactionId)
    {
        TriggerResponse? response = null;
        try
        {
            response = item is { ValueKind: JsonValueKind.Object } element
                ? element.Deserialize<TriggerResponse>(NovuJson.Options)
                : null;
        }
        catch (JsonException)
        {
            // Falls through to the terminal "no status" outcome below.
        }

        var status = response?.Status;
        var processed = status == NovuAnswer.ProcessedStatus;
        return new NovuOutcome
        {
            // A 201 that is not "processed" will not become processed by asking again.
            Kind = processed ? NovuOutcomeKind.Success : NovuOutcomeKind.Terminal,
            HttpStatus = answer.HttpStatus,
            NovuStatus = status,
            Message = processed ? null : DescribeUnprocessed(status, response?.Error),
            TransactionId = response?.TransactionId ?? requestedTransactionId,
            IdempotencyReplayed = answer.Replayed,
        };
    }

    private static string DescribeUnprocessed(string? status, JsonElement? error)
    {
        var detail = error switch
        {
            { ValueKind: JsonValueKind.Array } array => string.Join("; ", array.EnumerateArray().Select(e => e.ToString())),
            { ValueKind: JsonValueKind.String } text => text.GetString(),
            _ => null,
        };
        var what = status is null ? "Novu's answer carries no trigger status." : $"Novu did not process the event: {status}.";
        return string.IsNullOrEmpty(detail) ? what : $"{what} {detail}";
    }

    private static void RequireTransactionId(TriggerRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.TransactionId))
        {
            throw new ArgumentException("Every event needs the caller's transactionId.", nameof(request));
        }
    }

    /// <summary>
    /// Derived from the chunk's transactionIds: the same events sent again carry the same key, a different
    /// set never reuses one (which Novu would reject with 422).
    /// </summary>
    private static string BulkIdempotencyKey(IEnumerable<TriggerRequest> chunk)
    {
        var joined = string.Join('\n', chunk.Select(e => e.TransactionId));
        return "bulk-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)));
    }

    private void PauseOnRateLimit(NovuAnswer answer)
    {
        if (answer.HttpStatus == 429 && answer.RetryAfter is TimeSpan wait)
        {
            _triggerBucket.Pause(wait);
        }
    }
}

internal sealed class NovuSubscribers(NovuRestClient client) : INovuSubscribers
{
    private const string Path = "v2/subscribers";

    public async Task<NovuOutcome<NovuSubscriberResponse>> CreateAsync(NovuSubscriber subscriber, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriber.SubscriberId);
        var answer = await client.SendAsync(HttpMethod.Post, Path, subscriber, null, cancellationToken);
        return client.ToOutcome(answer, Read);
    }

    public async Task<NovuOutcome<NovuSubscriberResponse>> GetAsync(string subscriberId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriberId);
        var answer = await client.SendAsync(HttpMethod.Get, $"{Path}/{Uri.EscapeDataString(subscriberId)}", null, null, cancellationToken);
        return client.ToOutcome(answer, Read);
    }

    public async Task<NovuOutcome<NovuSubscriberResponse>> UpdateAsync(string subscriberId, NovuSubscriberPatch patch, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriberId);
        ArgumentNullException.ThrowIfNull(patch);
        var answer = await client.SendAsync(HttpMethod.Patch, $"{Path}/{Uri.EscapeDataString(subscriberId)}", patch, null, cancellationToken);
        return client.ToOutcome(answer, Read);
    }

    public async Task<NovuOutcome<bool>> DeleteAsync(string subscriberId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriberId);
        var answer = await client.SendAsync(HttpMethod.Delete, $"{Path}/{Uri.EscapeDataString(subscriberId)}", null, null, cancellationToken);
        return client.ToOutcome(answer, data => data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("acknowledged", out var acknowledged) && acknowledged.ValueKind == JsonValueKind.True);
    }

    private static NovuSubscriberResponse? Read(JsonElement data) => data.Deserialize<NovuSubscriberResponse>(NovuJson.Options);
}
