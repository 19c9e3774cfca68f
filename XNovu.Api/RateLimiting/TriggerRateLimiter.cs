using System.Threading.RateLimiting;
using RedisRateLimiting;
using StackExchange.Redis;

namespace XNovu.Api.RateLimiting;

/// <summary>What the limiter decided for one call.</summary>
public readonly record struct RateLimitDecision(bool Acquired, int TriggersPerSecond, TimeSpan RetryAfter);

/// <summary>
/// A Redis token bucket per enterprise (RedisRateLimiting), shared by every API replica: it holds one
/// second's worth of calls and refills that many each second. The rate is part of the partition, so a
/// changed rate starts a fresh bucket rather than inheriting the old one's count.
/// </summary>
public sealed partial class TriggerRateLimiter : IAsyncDisposable
{
    // The bucket refills whole seconds at a time (the library counts Unix seconds), so a refused
    // caller can always try again within one second.
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly PartitionedRateLimiter<Partition> _limiter;
    private readonly TriggerRateLimits _limits;
    private readonly ILogger<TriggerRateLimiter> _logger;

    public TriggerRateLimiter(IConnectionMultiplexer redis, TriggerRateLimits limits, ILogger<TriggerRateLimiter> logger)
    {
        _limits = limits;
        _logger = logger;
        _limiter = PartitionedRateLimiter.Create<Partition, string>(partition =>
            RedisRateLimitPartition.GetTokenBucketRateLimiter(
                $"xnovu:triggers:{partition.EnterpriseId:N}:{partition.PerSecond}",
                _ => new RedisTokenBucketRateLimiterOptions
                {
                    ConnectionMultiplexerFactory = () => redis,
                    TokenLimit = partition.PerSecond,
                    TokensPerPeriod = partition.PerSecond,
                    ReplenishmentPeriod = Period,
                }));
    }

    public Task<RateLimitDecision> AcquireAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        AcquireAsync(enterpriseId, 1, cancellationToken);

    /// <summary>
    /// Takes <paramref name="notifications"/> tokens at once: a call that creates several notifications (an event
    /// firing several rules) counts each. More than one second's worth can never be granted, so it is refused.
    /// </summary>
    public async Task<RateLimitDecision> AcquireAsync(Guid enterpriseId, int notifications, CancellationToken cancellationToken)
    {
        var limit = await _limits.GetAsync(enterpriseId, cancellationToken);
        if (notifications > limit.TriggersPerSecond)
        {
            return new RateLimitDecision(false, limit.TriggersPerSecond, Period);
        }

        try
        {
            using var lease = await _limiter.AcquireAsync(new Partition(enterpriseId, limit.TriggersPerSecond), notifications, cancellationToken);
            return new RateLimitDecision(lease.IsAcquired, limit.TriggersPerSecond, Period);
        }
        catch (RedisException ex)
        {
            // Redis holds counters, not notifications: without it, triggers are still stored, unlimited.
            LogRedisUnavailable(_logger, ex, enterpriseId);
            return new RateLimitDecision(true, limit.TriggersPerSecond, TimeSpan.Zero);
        }
    }

    public ValueTask DisposeAsync()
    {
        _limiter.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limiting of enterprise {EnterpriseId} skipped: Redis is unavailable")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception exception, Guid enterpriseId);

    private readonly record struct Partition(Guid EnterpriseId, int PerSecond);
}
