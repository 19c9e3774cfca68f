using System.Threading.RateLimiting;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using RedisRateLimiting;
using StackExchange.Redis;

namespace XNovu.Api.RateLimiting;

/// <summary>What the limiter decided for one call.</summary>
public readonly record struct RateLimitDecision(bool Acquired, RouteClass RouteClass, int PerSecond, TimeSpan RetryAfter);

/// <summary>
/// A Redis token bucket per enterprise and route class (RedisRateLimiting), shared by every API replica: it
/// holds one second's worth of calls and refills that many each second. Each class has its own bucket, so a
/// flood of events or management calls never spends the enterprise's trigger budget. The rate is part of the
/// partition, so a changed rate starts a fresh bucket rather than inheriting the old one's count.
/// </summary>
/// <remarks>
/// Redis holds counters, not notifications, so it is never needed to accept a trigger. Each Redis call is
/// bounded by a short timeout behind a circuit breaker; when either trips, the same rate is enforced by a
/// per-instance token bucket (System.Threading.RateLimiting) until Redis answers again. A dead Redis then
/// costs nothing per call, and each replica admits the enterprise's rate on its own.
/// </remarks>
public sealed partial class EnterpriseRateLimiter : IAsyncDisposable
{
    // The bucket refills whole seconds at a time (the library counts Unix seconds), so a refused
    // caller can always try again within one second.
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly PartitionedRateLimiter<Partition> _shared;
    private readonly PartitionedRateLimiter<Partition> _local;
    private readonly ResiliencePipeline _redisGuard;
    private readonly TriggerRateLimits _limits;

    public EnterpriseRateLimiter(IConnectionMultiplexer redis, TriggerRateLimits limits, ILogger<EnterpriseRateLimiter> logger)
    {
        _limits = limits;
        _shared = PartitionedRateLimiter.Create<Partition, string>(partition =>
            RedisRateLimitPartition.GetTokenBucketRateLimiter(
                $"xnovu:{RouteClasses.Name(partition.RouteClass)}:{partition.EnterpriseId:N}:{partition.PerSecond}",
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

    /// <summary>
    /// Takes <paramref name="count"/> tokens at once from the enterprise's bucket of <paramref name="routeClass"/>:
    /// a call that creates several notifications (an event firing several rules) counts each. More than one
    /// second's worth can never be granted, so it is refused.
    /// </summary>
    public async Task<RateLimitDecision> AcquireAsync(Guid enterpriseId, RouteClass routeClass, int count, CancellationToken cancellationToken)
    {
        var limit = await _limits.GetAsync(enterpriseId, cancellationToken);
        var perSecond = limit.PerSecond(routeClass);
        if (count > perSecond)
        {
            return new RateLimitDecision(false, routeClass, perSecond, Period);
        }

        var partition = new Partition(enterpriseId, routeClass, perSecond);
        bool acquired;
        try
        {
            acquired = await _redisGuard.ExecuteAsync(
                async (state, token) =>
                {
                    using var lease = await state.Limiter.AcquireAsync(state.Partition, state.Count, token);
                    return lease.IsAcquired;
                },
                (Limiter: _shared, Partition: partition, Count: count),
                cancellationToken);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or BrokenCircuitException or TimeoutRejectedException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            using var lease = _local.AttemptAcquire(partition, count);
            acquired = lease.IsAcquired;
        }

        return new RateLimitDecision(acquired, routeClass, perSecond, Period);
    }

    public ValueTask DisposeAsync()
    {
        _shared.Dispose();
        _local.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis does not answer: rate limits are enforced per instance until it does")]
    private static partial void LogRedisUnavailable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers again: rate limits are shared again")]
    private static partial void LogRedisBack(ILogger logger);

    private readonly record struct Partition(Guid EnterpriseId, RouteClass RouteClass, int PerSecond);
}
