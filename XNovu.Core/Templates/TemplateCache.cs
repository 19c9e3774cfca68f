using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace XNovu.Core.Templates;

/// <summary>The cache's state: templates fetched by key (total, valid, expired) and how lookups went.</summary>
/// <param name="CachedBodies">Parsed ad-hoc subjects and bodies (they never expire; the least used go when full).</param>
public sealed record TemplateCacheStats(int Total, int Valid, int Expired, long Hits, long Misses, int CachedBodies);

/// <summary>A template fetched from the source, its body parsed, trusted until <see cref="ExpiresAt"/>.</summary>
internal sealed record CachedTemplate(TemplateDefinition Definition, ParsedLiquid Body, DateTimeOffset ExpiresAt);

/// <summary>
/// Two caches, each a bounded <see cref="MemoryCache"/> (the store FusionCache itself keeps in memory): parsed
/// Liquid is a graph of live objects that cannot go to Redis, so FusionCache's second level has nothing to
/// hold, and its clock cannot be moved by a test's <see cref="TimeProvider"/>. What FusionCache does carry is
/// the eviction: a written template's removal reaches every process over its Redis backplane
/// (<c>DefinitionChangeNotifier</c>), which calls <see cref="Evict"/> there.
/// <para>
/// Templates fetched by (enterprise, key) are trusted for <see cref="TemplateEngineOptions.CacheTtl"/> without
/// asking the source again, which is why a write must evict; past that they stay as the last known version,
/// so that when one is fetched again and its version stamp (<see cref="TemplateDefinition.UpdatedAt"/>) has not
/// moved, its parsed body is reused. Ad-hoc Liquid (request subjects and bodies, previews) is keyed by a
/// SHA-256 of its text, so it cannot go stale and needs no expiry, only a bound. Each entry has size 1 and
/// each cache a size limit: past it, MemoryCache compacts (expired entries first, then the least recently used).
/// </para>
/// </summary>
internal sealed class TemplateCache : IDisposable
{
    private readonly ILiquidTemplateSource _source;
    private readonly TemplateEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly MemoryCache _templates;
    private readonly MemoryCache _bodies;
    private readonly ConcurrentDictionary<Guid, Lookups> _lookupsByEnterprise = new();
    private readonly Lookups _lookups = new();
    private long _evictions;

    public TemplateCache(ILiquidTemplateSource source, TemplateEngineOptions options, TimeProvider time)
    {
        _source = source;
        _options = options;
        _time = time;
        _templates = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.MaxCachedTemplates, CompactionPercentage = 0.1 });
        _bodies = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.MaxCachedBodies, CompactionPercentage = 0.1 });
    }

    public async Task<CachedTemplate?> GetTemplateAsync(Guid? enterpriseId, string templateKey, CancellationToken cancellationToken)
    {
        var key = new TemplateKey(enterpriseId, templateKey);
        _templates.TryGetValue(key, out CachedTemplate? cached);
        var lookups = enterpriseId is { } id ? _lookupsByEnterprise.GetOrAdd(id, _ => new Lookups()) : null;
        if (cached is not null && cached.ExpiresAt > _time.GetUtcNow())
        {
            _lookups.Hit();
            lookups?.Hit();
            return cached;
        }

        _lookups.Miss();
        lookups?.Miss();

        // An eviction while the source is being asked may concern what it is about to answer; then the answer
        // serves this render but is not kept.
        var evictionsBefore = Interlocked.Read(ref _evictions);
        var definition = await _source.FindAsync(enterpriseId, templateKey, cancellationToken);
        if (definition is null)
        {
            _templates.Remove(key);
            return null;
        }

        var body = cached is not null
            && cached.Definition.UpdatedAt == definition.UpdatedAt
            && string.Equals(cached.Definition.BodyTemplate, definition.BodyTemplate, StringComparison.Ordinal)
            ? cached.Body
            : LiquidParser.Parse(definition.BodyTemplate);
        var fresh = new CachedTemplate(definition, body, _time.GetUtcNow() + _options.CacheTtl);
        if (Interlocked.Read(ref _evictions) == evictionsBefore)
        {
            _templates.Set(key, fresh, new MemoryCacheEntryOptions { Size = 1 });
        }

        return fresh;
    }

    public ParsedLiquid GetBody(string liquid)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(liquid)));
        if (_bodies.TryGetValue(key, out ParsedLiquid? cached))
        {
            return cached!;
        }

        var parsed = LiquidParser.Parse(liquid);
        _bodies.Set(key, parsed, new MemoryCacheEntryOptions { Size = 1 });
        return parsed;
    }

    public bool Evict(Guid? enterpriseId, string templateKey)
    {
        Interlocked.Increment(ref _evictions);
        var key = new TemplateKey(enterpriseId, templateKey);
        var present = _templates.TryGetValue(key, out _);
        _templates.Remove(key);
        return present;
    }

    public void Clear()
    {
        Interlocked.Increment(ref _evictions);
        _templates.Clear();
        _bodies.Clear();
    }

    public TemplateCacheStats GetStats()
    {
        var (total, valid) = Count(_ => true);
        return new TemplateCacheStats(total, valid, total - valid, _lookups.Hits, _lookups.Misses, _bodies.Count);
    }

    /// <summary>One enterprise's share: its templates and its lookups (ad-hoc bodies belong to no one, so none).</summary>
    public TemplateCacheStats GetStats(Guid enterpriseId)
    {
        var (total, valid) = Count(key => key.EnterpriseId == enterpriseId);
        var lookups = _lookupsByEnterprise.TryGetValue(enterpriseId, out var found) ? found : new Lookups();
        return new TemplateCacheStats(total, valid, total - valid, lookups.Hits, lookups.Misses, 0);
    }

    /// <summary>Forgets one enterprise's templates and leaves every other enterprise's cache as it was.</summary>
    public void Clear(Guid enterpriseId)
    {
        Interlocked.Increment(ref _evictions);
        foreach (var key in _templates.Keys.OfType<TemplateKey>().Where(key => key.EnterpriseId == enterpriseId).ToList())
        {
            _templates.Remove(key);
        }
    }

    public void Dispose()
    {
        _templates.Dispose();
        _bodies.Dispose();
    }

    private (int Total, int Valid) Count(Func<TemplateKey, bool> include)
    {
        var now = _time.GetUtcNow();
        int total = 0, valid = 0;
        foreach (var key in _templates.Keys.OfType<TemplateKey>().Where(include))
        {
            if (_templates.TryGetValue(key, out CachedTemplate? entry) && entry is not null)
            {
                total++;
                valid += entry.ExpiresAt > now ? 1 : 0;
            }
        }

        return (total, valid);
    }

    private readonly record struct TemplateKey(Guid? EnterpriseId, string Key);

    private sealed class Lookups
    {
        private long _hits;
        private long _misses;

        public long Hits => Interlocked.Read(ref _hits);

        public long Misses => Interlocked.Read(ref _misses);

        public void Hit() => Interlocked.Increment(ref _hits);

        public void Miss() => Interlocked.Increment(ref _misses);
    }
}
