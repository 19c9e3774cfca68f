namespace XNovu.NovuClient;

public enum NovuOutcomeKind
{
    Success,

    /// <summary>Worth another attempt later (honour <see cref="NovuOutcome.RetryAfter"/>).</summary>
    Retryable,

    /// <summary>Another attempt would fail the same way.</summary>
    Terminal,
}

/// <summary>What one Novu call (or one event of a bulk call) came to. The client never retries.</summary>
public record NovuOutcome
{
    public required NovuOutcomeKind Kind { get; init; }

    /// <summary>Null when no answer came (timeout, connection error).</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The trigger answer's <c>status</c> (<c>processed</c>, <c>trigger_not_active</c>, ...).</summary>
    public string? NovuStatus { get; init; }

    public string? Message { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    public string? TransactionId { get; init; }

    /// <summary>Novu answered from its idempotency cache (<c>Idempotency-Replay: true</c>).</summary>
    public bool IdempotencyReplayed { get; init; }

    public bool IsSuccess => Kind == NovuOutcomeKind.Success;

    /// <summary>
    /// Novu refused the caller's secret key (401) or its rights (403): XNovu's credentials are wrong, not the
    /// request, so every call to that environment will fail the same way until they change.
    /// </summary>
    public bool CredentialsRefused => HttpStatus is 401 or 403;
}

public sealed record NovuOutcome<T> : NovuOutcome
{
    public T? Value { get; init; }
}
