using Microsoft.Extensions.Time.Testing;
using XNovu.Api.Triggers;
using static XNovu.Tests.Unit.Triggers.TriggerFakes;

namespace XNovu.Tests.Unit.Triggers;

/// <summary>The kept lookups of coalesced single triggers: per enterprise and codes, for a bounded time, never a stored answer.</summary>
public sealed class TriggerLookupCacheTests
{
    private readonly FakeTimeProvider _time = new();

    private TriggerLookupCache Cache(TimeSpan ttl) => new(new TriggerCommitOptions { LookupCacheTtl = ttl }, _time);

    [Fact]
    public void A_kept_lookup_is_found_until_its_lifetime_is_over()
    {
        using var cache = Cache(TimeSpan.FromMinutes(1));
        var key = TriggerLookupCache.Key.Of(Guid.NewGuid(), Trigger());
        cache.Keep(key, Lookup(Own(StaticKey)));

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.NotNull(cache.Find(key));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(cache.Find(key));
    }

    [Fact]
    public void A_lookup_is_kept_per_enterprise_and_codes()
    {
        using var cache = Cache(TimeSpan.FromMinutes(1));
        var enterprise = Guid.NewGuid();
        cache.Keep(TriggerLookupCache.Key.Of(enterprise, Trigger()), Lookup());

        Assert.NotNull(cache.Find(TriggerLookupCache.Key.Of(enterprise, Trigger())));
        Assert.Null(cache.Find(TriggerLookupCache.Key.Of(Guid.NewGuid(), Trigger())));
        Assert.Null(cache.Find(TriggerLookupCache.Key.Of(enterprise, Trigger(categoryCode: "billing"))));
    }

    [Fact]
    public void A_stored_idempotency_answer_is_never_kept_and_a_forgotten_lookup_is_gone()
    {
        using var cache = Cache(TimeSpan.FromMinutes(1));
        var key = TriggerLookupCache.Key.Of(Guid.NewGuid(), Trigger());
        cache.Keep(key, Lookup() with { Stored = new StoredAnswer([1], 202, "{}") });

        Assert.Null(cache.Find(key)!.Stored);
        cache.Forget(key);
        Assert.Null(cache.Find(key));
    }

    [Fact]
    public void A_lifetime_of_zero_keeps_nothing()
    {
        using var cache = Cache(TimeSpan.Zero);
        var key = TriggerLookupCache.Key.Of(Guid.NewGuid(), Trigger());
        cache.Keep(key, Lookup());

        Assert.False(cache.Enabled);
        Assert.Null(cache.Find(key));
    }
}
