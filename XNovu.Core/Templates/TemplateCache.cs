using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace XNovu.Core.Templates;

/// <summary>The cache's state: templates fetched by key (total, valid, expired) and how lookups went.</summary>
/// <param name="CachedBodies">Parsed ad-hoc subjects and bodies (they never expire; the oldest go when full).</param>
public sealed record TemplateCacheStats(int Total, int Valid, int Expired, long Hits, long Misses, int CachedBodies);

/// <summary>A template fetched from the source, its body parsed, trusted until <see cref="ExpiresAt"/>.</summary>
internal sealed record CachedTemplate(TemplateDefinition Definition, ParsedLiquid Body, DateTimeOffset ExpiresAt);

/// <summary>
/// Two caches. Templates fetched by (enterprise, key) are kept for <see cref="TemplateEngineOptions.CacheTtl"/>
/// without asking the source again, which is why a write must <see cref="Evict"/>; when one is fetched again
/// and its version stamp (<see cref="TemplateDefinition.UpdatedAt"/>) has not moved, its parsed body is
/// reused. Ad-hoc Liquid (request subjects and bodies, previews) is keyed by a SHA-256 of its text, so it
/// cannot go stale and needs no expiry, only a bound.
/// </summary>
internal sealed class TemplateCache(ILiquidTemplateSource source, TemplateEngineOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(Guid? EnterpriseId, string TemplateKey), CachedTemplate> _templates = new();
    private readonly ConcurrentDictionary<string, CachedBody> _bodies = new(StringComparer.Ordinal);
    private readonly Lock _trimming = new();
    private readonly ConcurrentDictionary<Guid, Lookups> _lookupsByEnterprise = new();
    private long _hits;
    private long _misses;
    private long _evictions;

    public async Task<CachedTemplate?> GetTemplateAsync(Guid? enterpriseId, string templateKey, CancellationToken cancellationToken)
    {
        var key = (enterpriseId, templateKey);
        _templates.TryGetValue(key, out var cached);
        var lookups = enterpriseId is { } id ? _lookupsByEnterprise.GetOrAdd(id, _ => new Lookups()) : null;
        if (cached is not null && cached.ExpiresAt > time.GetUtcNow())
        {
            Interlocked.Increment(ref _hits);
            lookups?.Hit();
            return cached;
        }

        Interlocked.Increment(ref _misses);
        lookups?.Miss();

        // An eviction while the source is being asked may concern what it is about to answer; then the answer
        // serves this render but is not kept.
        var evictionsBefore = Interlocked.Read(ref _evictions);
        var definition = await source.FindAsync(enterpriseId, templateKey, cancellationToken);
        if (definition is null)
        {
            _templates.TryRemove(key, out _);
            return null;
        }

        var body = cached is not null
            && cached.Definition.UpdatedAt == definition.UpdatedAt
            && string.Equals(cached.Definition.BodyTemplate, definition.BodyTemplate, StringComparison.Ordinal)
            ? cached.Body
            : LiquidParser.Parse(definition.BodyTemplate);
        var fresh = new CachedTemplate(definition, body, time.GetUtcNow() + options.CacheTtl);
        if (Interlocked.Read(ref _evictions) == evictionsBefore)
        {
            _templates[key] = fresh;
            TrimTemplates();
        }

        return fresh;
    }

    public ParsedLiquid GetBody(string liquid)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(liquid)));
        var now = time.GetTimestamp();
        if (_bodies.TryGetValue(key, out var cached))
        {
            cached.LastUsed = now;
            return cached.Parsed;
        }

        var parsed = LiquidParser.Parse(liquid);
        _bodies[key] = new CachedBody(parsed) { LastUsed = now };
        if (_bodies.Count > options.MaxCachedBodies)
        {
            TrimBodies();
        }

        return parsed;
    }

    public bool Evict(Guid? enterpriseId, string templateKey)
    {
        Interlocked.Increment(ref _evictions);
        return _templates.TryRemove((enterpriseId, templateKey), out _);
    }

    public void Clear()
    {
        Interlocked.Increment(ref _evictions);
        _templates.Clear();
        _bodies.Clear();
    }

    public TemplateCacheStats GetStats()
    {
        var now = time.GetUtcNow();
        var entries = _templates.Values.ToList();
        var valid = entries.Count(entry => entry.ExpiresAt > now);
        return new TemplateCacheStats(entries.Count, valid, entries.Count - valid, Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), _bodies.Count);
    }

    /// <summary>One enterprise's share: its templates and its lookups (ad-hoc bodies belong to no one, so none).</summary>
    public TemplateCacheStats GetStats(Guid enterpriseId)
    {
        var now = time.GetUtcNow();
        var entries = _templates.Where(entry => entry.Key.EnterpriseId == enterpriseId).Select(entry => entry.Value).ToList();
        var valid = entries.Count(entry => entry.ExpiresAt > now);
        var lookups = _lookupsByEnterprise.TryGetValue(enterpriseId, out var found) ? found : new Lookups();
        return new TemplateCacheStats(entries.Count, valid, entries.Count - valid, lookups.Hits, lookups.Misses, 0);
    }

    /// <summary>Forgets one enterprise's templates and leaves every other enterprise's cache as it was.</summary>
    public void Clear(Guid enterpriseId)
    {
        Interlocked.Increment(ref _evictions);
        foreach (var key in _templates.Keys.Where(key => key.EnterpriseId == enterpriseId).ToList())
        {
            _templates.TryRemove(key, out _);
        }
    }

    private void TrimTemplates()
    {
        if (_templates.Count <= options.MaxCachedTemplates)
        {
            return;
        }

        lock (_trimming)
        {
            var now = time.GetUtcNow();
            var byAge = _templates.OrderBy(entry => entry.Value.ExpiresAt).ToList();
            var excess = byAge.Count - options.MaxCachedTemplates;
            foreach (var (key, entry) in byAge)
            {
                if (excess <= 0 && entry.ExpiresAt > now)
                {
                    break;
                }

                if (_templates.TryRemove(key, out _))
                {
                    excess--;
                }
            }
        }
    }

    // Trimming to 90% of the bound leaves room, so that a full cache does not sort itself on every miss.
    private void TrimBodies()
    {
        lock (_trimming)
        {
            var excess = _bodies.Count - (options.MaxCachedBodies * 9 / 10);
            if (excess <= 0)
            {
                return;
            }

            foreach (var (key, _) in _bodies.OrderBy(entry => entry.Value.LastUsed).Take(excess).ToList())
            {
                _bodies.TryRemove(key, out _);
            }
        }
    }

    private sealed class Lookups
    {
        private long _hits;
        private long _misses;

        public long Hits => Interlocked.Read(ref _hits);

        public long Misses => Interlocked.Read(ref _misses);

        public void Hit() => Interlocked.Increment(ref _hits);

        public void Miss() => Interlocked.Increment(ref _misses);
    }

    private sealed class CachedBody(ParsedLiquid parsed)
    {
        public ParsedLiquid Parsed { get; } = parsed;

        public long LastUsed { get; set; }
    }
}
