using XNovu.NovuClient;

namespace XNovu.Dispatcher.Queues;

/// <summary>The settings every Novu queue worker has (each bound from its own section).</summary>
public interface INovuQueueOptions
{
    /// <summary>How often due rows are looked for.</summary>
    TimeSpan PollInterval { get; }

    /// <summary>Rows claimed at once; a full claim is followed at once by the next.</summary>
    int BatchSize { get; }

    /// <summary>A claimed row comes due again after this, should its replica die mid-way.</summary>
    int LeaseSeconds { get; }

    /// <summary>A call Novu refused or could not take is retried after 2^attempts seconds, at most this long.</summary>
    TimeSpan MaxBackoff { get; }
}

/// <summary>
/// The loop of a dispatcher worker that carries a PostgreSQL queue to Novu (the preference push, the removals of
/// offboarding): every <see cref="INovuQueueOptions.PollInterval"/>, claim due rows under a lease, make each call,
/// and finish its rows, done or due again after their backoff (<see cref="RetryAt"/>) with the error kept on them.
/// A pass that fails (the database away) is logged and the next one tries again: the queue is where it was, and
/// leased rows come due again. Every replica runs it; a claim is leased, so two never work on one row, and each
/// call's outcome finishes only its own rows, so one failing environment delays only its own.
/// </summary>
public abstract partial class NovuQueueWorker<TRow>(INovuQueueOptions settings, TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time => time;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WorkDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(logger, GetType().Name, e);
            }

            try
            {
                await Task.Delay(settings.PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>When a call that failed is tried again: 2^attempts seconds, at most the maximum, or Novu's Retry-After when later.</summary>
    public static DateTimeOffset RetryAt(DateTimeOffset now, int attempts, TimeSpan maxBackoff, TimeSpan? retryAfter)
    {
        var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempts), maxBackoff.TotalSeconds));
        return now + (retryAfter > backoff ? retryAfter.Value : backoff);
    }

    private async Task WorkDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var claims = await ClaimAsync(settings.BatchSize, settings.LeaseSeconds, cancellationToken);
            foreach (var call in Calls(await SettleAsync(claims, cancellationToken)))
            {
                var outcome = await CallAsync(call, cancellationToken);
                if (IsDone(outcome))
                {
                    await FinishAsync(call, null, null, cancellationToken);
                    continue;
                }

                var attempts = Attempts(call);
                var error = $"HTTP {outcome.HttpStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}: {outcome.Message}";
                LogCallFailed(call, attempts, error);
                await FinishAsync(call, error, RetryAt(time.GetUtcNow(), attempts, settings.MaxBackoff, outcome.RetryAfter), cancellationToken);
            }

            if (claims.Count < settings.BatchSize)
            {
                return;
            }
        }
    }

    protected abstract Task<IReadOnlyList<TRow>> ClaimAsync(int limit, int leaseSeconds, CancellationToken cancellationToken);

    /// <summary>Finishes the claimed rows that need no call and answers the others; by default, all need one.</summary>
    protected virtual Task<IReadOnlyList<TRow>> SettleAsync(IReadOnlyList<TRow> claims, CancellationToken cancellationToken) => Task.FromResult(claims);

    /// <summary>The calls the rows make; by default, one each.</summary>
    protected virtual IEnumerable<IReadOnlyList<TRow>> Calls(IReadOnlyList<TRow> rows) => rows.Select(row => (IReadOnlyList<TRow>)[row]);

    /// <summary>One call to Novu; an exception other than cancellation is a retryable outcome, not a failed pass.</summary>
    protected abstract Task<NovuOutcome> CallAsync(IReadOnlyList<TRow> call, CancellationToken cancellationToken);

    /// <summary>Whether the call's rows are done; by default when Novu took it.</summary>
    protected virtual bool IsDone(NovuOutcome outcome) => outcome.IsSuccess;

    /// <summary>The attempts the backoff counts for a call (its rows' most).</summary>
    protected abstract int Attempts(IReadOnlyList<TRow> call);

    protected abstract Task FinishAsync(IReadOnlyList<TRow> call, string? error, DateTimeOffset? retryAt, CancellationToken cancellationToken);

    protected abstract void LogCallFailed(IReadOnlyList<TRow> call, int attempts, string error);

    /// <summary>A Novu call that threw, as the retryable outcome it is.</summary>
    protected static NovuOutcome Threw(Exception e) =>
        new() { Kind = NovuOutcomeKind.Retryable, Message = $"The Novu call failed ({e.GetType().Name})." };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Worker} paused by an error; retrying later")]
    private static partial void LogPassFailed(ILogger logger, string worker, Exception exception);
}
