using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace XNovu.NovuClient;

/// <summary>What came back from one HTTP exchange, before a call decides what it means.</summary>
internal sealed record NovuAnswer
{
    public const string ProcessedStatus = "processed";

    public int? HttpStatus { get; init; }

    public JsonElement? Body { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    public bool Replayed { get; init; }

    /// <summary>Why there is no answer (timeout, connection error).</summary>
    public string? Failure { get; init; }

    public bool IsSuccessStatus => HttpStatus is >= 200 and < 300;

    /// <summary>The <c>data</c> of Novu's <c>{"data": ...}</c> envelope.</summary>
    public JsonElement? Data =>
        Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("data", out var data) ? data : null;

    public string? Message
    {
        get
        {
            if (Failure is not null)
            {
                return Failure;
            }

            if (Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("message", out var message))
            {
                return message.ValueKind switch
                {
                    JsonValueKind.String => message.GetString(),
                    JsonValueKind.Array => string.Join("; ", message.EnumerateArray().Select(m => m.ToString())),
                    _ => message.ToString(),
                };
            }

            return HttpStatus is null ? null : $"Novu answered HTTP {HttpStatus}.";
        }
    }

    /// <summary>408, 409 (idempotent request in progress), 429, 5xx and no answer at all are worth a retry.</summary>
    public NovuOutcomeKind FailureKind => HttpStatus switch
    {
        null or 408 or 409 or 429 or >= 500 => NovuOutcomeKind.Retryable,
        _ => NovuOutcomeKind.Terminal,
    };

    public static NovuAnswer NoAnswer(string failure) => new() { Failure = failure };

    public static async Task<NovuAnswer> ReadAsync(HttpResponseMessage response, TimeProvider time, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        JsonElement? body = null;
        if (bytes.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(bytes);
                body = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // A proxy's HTML error page: the status code alone decides.
            }
        }

        var status = (int)response.StatusCode;
        return new NovuAnswer
        {
            HttpStatus = status,
            Body = body,
            RetryAfter = ReadRetryAfter(response, status, time),
            Replayed = response.Headers.TryGetValues("Idempotency-Replay", out var replay)
                && replay.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase)),
        };
    }

    public NovuOutcome ToFailure(string? transactionId) => new()
    {
        Kind = FailureKind,
        HttpStatus = HttpStatus,
        Message = Message,
        RetryAfter = FailureKind == NovuOutcomeKind.Retryable ? RetryAfter : null,
        TransactionId = transactionId,
        IdempotencyReplayed = Replayed,
    };

    /// <summary>Retry-After (seconds or a date) wins; a 429 without it falls back to RateLimit-Reset.</summary>
    private static TimeSpan? ReadRetryAfter(HttpResponseMessage response, int status, TimeProvider time)
    {
        if (response.Headers.RetryAfter is RetryConditionHeaderValue retryAfter)
        {
            if (retryAfter.Delta is TimeSpan delta)
            {
                return delta;
            }

            if (retryAfter.Date is DateTimeOffset date)
            {
                var wait = date - time.GetUtcNow();
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        if (status == 429
            && response.Headers.TryGetValues("RateLimit-Reset", out var resets)
            && double.TryParse(resets.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return null;
    }
}
