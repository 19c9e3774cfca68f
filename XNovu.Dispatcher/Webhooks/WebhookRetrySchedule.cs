namespace XNovu.Dispatcher.Webhooks;

/// <summary>How an attempt's answer decides the message's fate: the one place the schedule and Retry-After are read.</summary>
public static class WebhookRetrySchedule
{
    public const string Delivered = "delivered";
    public const string Retry = "retry";
    public const string Failed = "failed";
    public const string Gone = "gone";
    public const string Deferred = "deferred";

    /// <summary>
    /// Attempt <paramref name="attempt"/> (1 for the first) got <paramref name="status"/> (null: no answer): 2xx is
    /// delivered; 410 is gone (the endpoint is disabled); anything else is tried again at the schedule's next step
    /// after now, or at the endpoint's own Retry-After on a 429 or 503 (at most <paramref name="maxRetryAfter"/>),
    /// until the schedule is spent, then failed.
    /// </summary>
    public static (string Outcome, DateTimeOffset? RetryAt) Decide(
        int attempt, int? status, TimeSpan? retryAfter, IReadOnlyList<TimeSpan> schedule, TimeSpan maxRetryAfter, DateTimeOffset now)
    {
        if (status is >= 200 and < 300)
        {
            return (Delivered, null);
        }

        if (status == 410)
        {
            return (Gone, null);
        }

        if (attempt >= schedule.Count)
        {
            return (Failed, null);
        }

        var wait = schedule[attempt];
        if (status is 429 or 503 && retryAfter is { } asked && asked > TimeSpan.Zero)
        {
            wait = asked < maxRetryAfter ? asked : maxRetryAfter;
        }

        return (Retry, now + wait);
    }
}
