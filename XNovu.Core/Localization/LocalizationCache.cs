using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using XNovu.Core.Persistence;

namespace XNovu.Core.Localization;

public sealed class LocalizationOptions
{
    public const string SectionName = "XNovu:Localization";

    /// <summary>
    /// How long a process trusts an enterprise's default locale and catalogs without reading them again: a catalog
    /// change reaches every dispatcher within this time (the API's own process forgets at once).
    /// </summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>An enterprise's default locale and the catalogs of the locales asked for (a locale with none is absent).</summary>
public sealed record EnterpriseLocalization(string? DefaultLocale, IReadOnlyDictionary<string, JsonElement> Catalogs)
{
    /// <summary>The translations a render in <paramref name="locale"/> reads: its chain's catalogs, in order.</summary>
    public Translations TranslationsFor(string? locale) =>
        new(Locales.Chain(locale, DefaultLocale).Where(Catalogs.ContainsKey).Select(l => (l, Catalogs[l])).ToList());

    /// <summary>
    /// What a send renders of <paramref name="template"/> for a subscriber (or first render) in <paramref name="locale"/>:
    /// the variant its chain reaches (<see cref="LocaleVariants.Choose"/>), an email inside its layout
    /// (<see cref="Templates.EmailLayout.Apply"/>), and the translations of the locale it is rendered in. The dispatcher
    /// and the accept-time size check both ask this, so the size checked is the size sent.
    /// </summary>
    public (Templates.TemplateDefinition Template, string? Locale, Translations Translations) Choose(Templates.TemplateDefinition template, string? locale)
    {
        var (chosen, renderedIn) = LocaleVariants.Choose(
            template, Locales.Chain(locale, DefaultLocale), Catalogs.Keys.ToHashSet(StringComparer.Ordinal), DefaultLocale);
        return (Templates.EmailLayout.Apply(chosen), renderedIn, TranslationsFor(renderedIn));
    }
}

/// <summary>
/// An enterprise's localization as renders need it: its default locale and its catalogs, read for a whole batch in
/// one query (only what the process does not hold yet) and kept for <see cref="LocalizationOptions.CacheTtl"/>.
/// </summary>
public sealed class LocalizationCache(XNovuDatabase database, IMemoryCache cache, IOptions<LocalizationOptions> options)
{
    private sealed record DefaultEntry(string? Locale);

    private sealed record CatalogEntry(JsonElement? Entries);

    /// <summary>The default locale and the catalogs of every locale the subscribers' chains may reach.</summary>
    public async Task<EnterpriseLocalization> GetAsync(Guid enterpriseId, IEnumerable<string?> subscriberLocales, CancellationToken cancellationToken)
    {
        var wanted = subscriberLocales.SelectMany(l => Locales.Chain(l, null)).ToHashSet(StringComparer.Ordinal);
        cache.TryGetValue(DefaultKey(enterpriseId), out DefaultEntry? known);
        if (known is not null)
        {
            wanted.UnionWith(Locales.Chain(known.Locale, null));
        }

        var catalogs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var locale in wanted)
        {
            if (cache.TryGetValue(CatalogKey(enterpriseId, locale), out CatalogEntry? entry) && entry is not null)
            {
                if (entry.Entries is { } entries)
                {
                    catalogs[locale] = entries;
                }
            }
            else
            {
                missing.Add(locale);
            }
        }

        if (known is not null && missing.Count == 0)
        {
            return new EnterpriseLocalization(known.Locale, catalogs);
        }

        // One query: the default locale, and the catalogs of the locales not held plus the default's chain.
        var ttl = options.Value.CacheTtl;
        var rows = (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<(string? DefaultLocale, string? Locale, string? Entries)>(
            """
            SELECT e.default_locale, c.locale, c.entries::text
            FROM notify.enterprise e
            LEFT JOIN notify.ent_translation_catalog c
                ON c.enterprise_id = e.id
               AND (c.locale = ANY(@missing) OR c.locale = e.default_locale OR c.locale = split_part(e.default_locale, '-', 1))
            WHERE e.id = @enterpriseId
            """,
            new { enterpriseId, missing = missing.ToArray() }, session.Transaction), cancellationToken)).AsList();
        var defaultLocale = rows.Count > 0 ? Locales.Normalize(rows[0].DefaultLocale) : null;
        cache.Set(DefaultKey(enterpriseId), new DefaultEntry(defaultLocale), ttl);
        var found = rows.Where(r => r.Locale is not null && r.Entries is not null)
            .ToDictionary(r => r.Locale!, r => JsonDocument.Parse(r.Entries!).RootElement.Clone(), StringComparer.Ordinal);
        foreach (var locale in missing.Union(Locales.Chain(defaultLocale, null)))
        {
            var entries = found.TryGetValue(locale, out var value) ? value : (JsonElement?)null;
            cache.Set(CatalogKey(enterpriseId, locale), new CatalogEntry(entries), ttl);
            if (entries is { } e)
            {
                catalogs[locale] = e;
            }
        }

        return new EnterpriseLocalization(defaultLocale, catalogs);
    }

    /// <summary>Forgets an enterprise's default locale and the catalogs of <paramref name="locales"/> in this process.</summary>
    public void Evict(Guid enterpriseId, params string[] locales)
    {
        cache.Remove(DefaultKey(enterpriseId));
        foreach (var locale in locales)
        {
            cache.Remove(CatalogKey(enterpriseId, locale));
        }
    }

    private static string DefaultKey(Guid enterpriseId) => $"xnovu:locale-default:{enterpriseId:N}";

    private static string CatalogKey(Guid enterpriseId, string locale) => $"xnovu:locale-catalog:{enterpriseId:N}:{locale}";
}
