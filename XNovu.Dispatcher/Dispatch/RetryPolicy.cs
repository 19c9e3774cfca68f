using XNovu.NovuClient;

namespace XNovu.Dispatcher.Dispatch;

public enum DeliveryDecision
{
    Sent,
    Retry,
    Failed,
}

/// <summary>
/// What to do with a delivery after Novu answered: <c>processed</c> is sent; a terminal answer fails at once;
/// a retryable one is retried with exponential backoff and full jitter in its upper half, never before
/// Novu's <c>Retry-After</c>, until the attempts run out.
/// </summary>
public sealed class RetryPolicy(DispatcherOptions options)
{
    public (DeliveryDecision Decision, DateTimeOffset? RetryAt) Decide(NovuOutcome outcome, int attempts, DateTimeOffset now, double random)
    {
        switch (outcome.Kind)
        {
            case NovuOutcomeKind.Success:
                return (DeliveryDecision.Sent, null);
            case NovuOutcomeKind.Terminal:
                return (DeliveryDecision.Failed, null);
        }

        if (attempts >= options.MaxAttempts)
        {
            return (DeliveryDecision.Failed, null);
        }

        var backoff = Backoff(attempts, random);
        if (outcome.RetryAfter is { } retryAfter && retryAfter > backoff)
        {
            backoff = retryAfter;
        }

        return (DeliveryDecision.Retry, now + backoff);
    }

    /// <summary>base × 2^(attempts−1), capped, scaled into [50%, 100%] by <paramref name="random"/> in [0, 1).</summary>
    public TimeSpan Backoff(int attempts, double random)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var raw = Math.Min(options.MaxBackoff.TotalMilliseconds, options.BaseBackoff.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(raw * (0.5 + (0.5 * Math.Clamp(random, 0, 1))));
    }
}
