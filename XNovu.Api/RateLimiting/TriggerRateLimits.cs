using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace XNovu.Api.RateLimiting;

/// <summary>An enterprise's trigger rate and where it comes from: override, configuration or default.</summary>
public sealed record EffectiveRateLimit(int TriggersPerSecond, string Source)
{
    public const string Override = "override";
    public const string Configuration = "configuration";
    public const string Default = "default";
}

/// <summary>
/// Decides an enterprise's trigger rate: the admin's stored override (cached per replica for
/// <see cref="RateLimitOptions.OverrideCacheDuration"/>, dropped at once on the replica that changed it),
/// else <c>XNovu:RateLimit:Enterprises:{id}</c>, else <c>XNovu:RateLimit:TriggersPerSecond</c>.
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

    public Task<int?> ReadOverrideAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        store.ReadOverrideAsync(enterpriseId, cancellationToken);

    public EffectiveRateLimit Resolve(Guid enterpriseId, int? stored)
    {
        if (stored is { } overridden)
        {
            return new EffectiveRateLimit(overridden, EffectiveRateLimit.Override);
        }

        var current = options.CurrentValue;
        return current.Enterprises.TryGetValue(enterpriseId.ToString(), out var configured)
            ? new EffectiveRateLimit(configured, EffectiveRateLimit.Configuration)
            : new EffectiveRateLimit(current.TriggersPerSecond, EffectiveRateLimit.Default);
    }

    public void Forget(Guid enterpriseId) => cache.Remove(CacheKey(enterpriseId));

    private static string CacheKey(Guid enterpriseId) => $"ratelimit:triggers:{enterpriseId}";
}
