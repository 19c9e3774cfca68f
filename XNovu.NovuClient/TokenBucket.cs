namespace XNovu.NovuClient;

/// <summary>
/// A token bucket that hands out reservations: a caller takes its tokens at once (the balance may go
/// negative) and is told how long to wait, so waiters are served in arrival order without polling.
/// </summary>
public sealed class TokenBucket
{
    /// <summary>Novu's trigger limiter holds the plan rate over a 5 s window (with 10% burst on top, which the client keeps as headroom).</summary>
    public static readonly TimeSpan NovuWindow = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _stamp;

    public TokenBucket(double tokensPerSecond, double capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        TokensPerSecond = tokensPerSecond;
        Capacity = capacity;
        _time = time;
        _tokens = capacity;
        _stamp = time.GetTimestamp();
    }

    public double TokensPerSecond { get; }

    public double Capacity { get; }

    /// <summary>The balance now; negative while reservations are waiting.</summary>
    public double Available
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _tokens;
            }
        }
    }

    /// <summary>Takes <paramref name="cost"/> tokens and answers how long to wait before spending them.</summary>
    public TimeSpan Reserve(double cost)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cost);
        lock (_gate)
        {
            Refill();
            _tokens -= cost;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / TokensPerSecond);
        }
    }

    public async Task AcquireAsync(double cost, CancellationToken cancellationToken)
    {
        var wait = Reserve(cost);
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(wait, _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The reservation was never spent; later waiters may go a little sooner.
            Refund(cost);
            throw;
        }
    }

    public void Refund(double cost)
    {
        lock (_gate)
        {
            Refill();
            _tokens = Math.Min(Capacity, _tokens + cost);
        }
    }

    /// <summary>
    /// Nobody gets a token before <paramref name="pause"/> has passed: how a server's Retry-After is
    /// honoured by every caller sharing this bucket, not only the one that was refused.
    /// </summary>
    public void Pause(TimeSpan pause)
    {
        if (pause <= TimeSpan.Zero)
        {
            return;
        }

        lock (_gate)
        {
            Refill();
            _tokens = Math.Min(_tokens, -pause.TotalSeconds * TokensPerSecond);
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_stamp, now);
        _stamp = now;
        if (elapsed > TimeSpan.Zero)
        {
            _tokens = Math.Min(Capacity, _tokens + (elapsed.TotalSeconds * TokensPerSecond));
        }
    }
}
