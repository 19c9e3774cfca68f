using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;

namespace XNovu.Api.Triggers;

/// <summary>
/// The workflow, category and priority a coalesced single trigger without an Idempotency-Key was last checked
/// against, per enterprise and codes, so that the next such trigger is checked without a round trip to
/// PostgreSQL. An entry is a hint, never an authority:
/// <list type="bullet">
/// <item>only a lookup that let a trigger through is kept; a trigger the kept entry would refuse is checked
/// again against a fresh lookup, so every refusal is decided on current rows;</item>
/// <item>the shared commit stores a trigger only if the rows it was checked against are unchanged (the workflow's
/// stamp, <c>xmin</c> and <c>updated_at</c>; its absence for a static workflow; the codes' ids); otherwise the
/// entry is dropped and the trigger is stored alone, after a fresh lookup in its own transaction.</item>
/// </list>
/// A change made in any process is therefore seen by the next trigger, with no eviction message to lose.
/// Bounded: entries live <see cref="TriggerCommitOptions.LookupCacheTtl"/>, and the whole cache holds about
/// <see cref="SizeLimitKb"/> KB of payload schemas.
/// </summary>
internal sealed class TriggerLookupCache(TriggerCommitOptions options, TimeProvider time) : IDisposable
{
    /// <summary>Each entry counts one unit (its key and dictionaries) plus one per KB its payload schema takes in memory.</summary>
    public const long SizeLimitKb = 16 * 1024;

    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = SizeLimitKb, Clock = new Clock(time) });

    /// <summary>What decides a single trigger's lookup: the enterprise, the workflow key and the two codes.</summary>
    internal readonly record struct Key(Guid EnterpriseId, string WorkflowKey, string? CategoryCode, string? PriorityCode)
    {
        public static Key Of(Guid enterpriseId, PreparedTrigger trigger) =>
            new(enterpriseId, trigger.WorkflowKey, trigger.CategoryCode, trigger.PriorityCode);
    }

    public bool Enabled => options.LookupCacheTtl > TimeSpan.Zero;

    public Lookup? Find(Key key) => Enabled && _entries.TryGetValue(key, out Lookup? lookup) ? lookup : null;

    /// <summary>Keeps a lookup that let a trigger through (without its stored Idempotency-Key answer).</summary>
    public void Keep(Key key, Lookup lookup)
    {
        if (!Enabled)
        {
            return;
        }

        var schemaChars = lookup.Workflows.Values.Sum(w => (long)(w.PayloadSchema?.Length ?? 0));
        _entries.Set(key, lookup with { Stored = null }, new MemoryCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = options.LookupCacheTtl,
            Size = 1 + (schemaChars * sizeof(char) / 1024),
        });
    }

    public void Forget(Key key) => _entries.Remove(key);

    public void Dispose() => _entries.Dispose();

    /// <summary>The cache's expiry reads the injected clock, so a test can move it.</summary>
    private sealed class Clock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
