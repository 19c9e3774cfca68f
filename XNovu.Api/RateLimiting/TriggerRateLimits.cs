using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace XNovu.Api.RateLimiting;

/// <summary>An admin's stored override: the trigger rate, and optionally the management rates.</summary>
public sealed record StoredRateLimit(int TriggersPerSecond, int? WritesPerSecond, int? ReadsPerSecond);

/// <summary>
/// An enterprise's rates and where its trigger rate comes from: override, configuration or default. Events are
/// limited per call at the trigger rate, in a bucket of their own.
/// </summary>
public sealed record EffectiveRateLimit(int TriggersPerSecond, string Source, int WritesPerSecond, int ReadsPerSecond)
{
    public const string Override = "override";
    public const string Configuration = "configuration";
    public const string Default = "default";

    public int PerSecond(RouteClass routeClass) => routeClass switch
    {
        RouteClass.Writes => WritesPerSecond,
        RouteClass.Reads => ReadsPerSecond,
        _ => TriggersPerSecond,
    };
}

/// <summary>
/// Decides an enterprise's rates: the admin's stored override (cached per replica for
/// <see cref="RateLimitOptions.OverrideCacheDuration"/>, dropped at once on the replica that changed it),
/// else <c>XNovu:RateLimit:Enterprises:{id}</c>, else <c>XNovu:RateLimit:TriggersPerSecond</c>; the management
/// rates are the override's, else <c>XNovu:RateLimit:WritesPerSecond</c> and <c>ReadsPerSecond</c>.
/// </summary>
public sealed class TriggerRateLimits(RateLimitStore store, IMemoryCache cache, IOptionsMonitor<RateLimitOptions> options)
{
    public async ValueTask<EffectiveRateLimit> GetAsync(Guid enterpriseId, CancellationToken cancellationToken)
    {
        var stored = await cache.GetOrCreateAsync(CacheKey(enterpriseId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = options.CurrentValue.OverrideCacheDuration;
            return await ReadOverrideAsync(enterpriseId, cancellationToken);
        });
        return Resolve(enterpriseId, stored);
    }

    public Task<StoredRateLimit?> ReadOverrideAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        store.ReadOverrideAsync(enterpriseId, cancellationToken);

    public EffectiveRateLimit Resolve(Guid enterpriseId, StoredRateLimit? stored)
    {
        var current = options.CurrentValue;
        var writes = stored?.WritesPerSecond ?? current.WritesPerSecond;
        var reads = stored?.ReadsPerSecond ?? current.ReadsPerSecond;
        if (stored is not null)
        {
            return new EffectiveRateLimit(stored.TriggersPerSecond, EffectiveRateLimit.Override, writes, reads);
        }

        return current.Enterprises.TryGetValue(enterpriseId.ToString(), out var configured)
            ? new EffectiveRateLimit(configured, EffectiveRateLimit.Configuration, writes, reads)
            : new EffectiveRateLimit(current.TriggersPerSecond, EffectiveRateLimit.Default, writes, reads);
    }

    public void Forget(Guid enterpriseId) => cache.Remove(CacheKey(enterpriseId));

    private static string CacheKey(Guid enterpriseId) => $"ratelimit:triggers:{enterpriseId}";
}
