using System.Threading.RateLimiting;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
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
/// <remarks>
/// Redis holds counters, not notifications, so it is never needed to accept a trigger. Each Redis call is
/// bounded by a short timeout behind a circuit breaker; when either trips, the same rate is enforced by a
/// per-instance token bucket (System.Threading.RateLimiting) until Redis answers again. A dead Redis then
/// costs nothing per call, and each replica admits the enterprise's rate on its own.
/// </remarks>
public sealed partial class TriggerRateLimiter : IAsyncDisposable
{
    // The bucket refills whole seconds at a time (the library counts Unix seconds), so a refused
    // caller can always try again within one second.
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly PartitionedRateLimiter<Partition> _shared;
    private readonly PartitionedRateLimiter<Partition> _local;
    private readonly ResiliencePipeline _redisGuard;
    private readonly TriggerRateLimits _limits;

    public TriggerRateLimiter(IConnectionMultiplexer redis, TriggerRateLimits limits, ILogger<TriggerRateLimiter> logger)
    {
        _limits = limits;
        _shared = PartitionedRateLimiter.Create<Partition, string>(partition =>
            RedisRateLimitPartition.GetTokenBucketRateLimiter(
                $"xnovu:triggers:{partition.EnterpriseId:N}:{partition.PerSecond}",
                _ => new RedisTokenBucketRateLimiterOptions
                {
                    ConnectionMultiplexerFactory = () => redis,
                    TokenLimit = partition.PerSecond,
                    TokensPerPeriod = partition.PerSecond,
                    ReplenishmentPeriod = Period,
                }));
        _local = PartitionedRateLimiter.Create<Partition, Partition>(partition =>
            RateLimitPartition.GetTokenBucketLimiter(partition, p => new TokenBucketRateLimiterOptions
            {
                TokenLimit = p.PerSecond,
                TokensPerPeriod = p.PerSecond,
                ReplenishmentPeriod = Period,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        _redisGuard = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RedisException>().Handle<TimeoutException>().Handle<TimeoutRejectedException>(),
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = TimeSpan.FromSeconds(5),
                OnOpened = _ =>
                {
                    LogRedisUnavailable(logger);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    LogRedisBack(logger);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(TimeSpan.FromMilliseconds(250))
            .Build();
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

        var partition = new Partition(enterpriseId, limit.TriggersPerSecond);
        bool acquired;
        try
        {
            acquired = await _redisGuard.ExecuteAsync(
                async (state, token) =>
                {
                    using var lease = await state.Limiter.AcquireAsync(state.Partition, state.Count, token);
                    return lease.IsAcquired;
                },
                (Limiter: _shared, Partition: partition, Count: notifications),
                cancellationToken);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or BrokenCircuitException or TimeoutRejectedException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            using var lease = _local.AttemptAcquire(partition, notifications);
            acquired = lease.IsAcquired;
        }

        return new RateLimitDecision(acquired, limit.TriggersPerSecond, Period);
    }

    public ValueTask DisposeAsync()
    {
        _shared.Dispose();
        _local.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis does not answer: trigger rate limits are enforced per instance until it does")]
    private static partial void LogRedisUnavailable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers again: trigger rate limits are shared again")]
    private static partial void LogRedisBack(ILogger logger);

    private readonly record struct Partition(Guid EnterpriseId, int PerSecond);
}
