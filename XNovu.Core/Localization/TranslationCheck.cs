using System.Text.Json;
using XNovu.Core.Templates;

namespace XNovu.Core.Localization;

/// <summary>
/// The publish check of issue 30: a template claims its variants' locales and, when it or they use <c>t</c>, the
/// enterprise's default locale (its own text is rendered in it). Every key the text of a claimed locale passes to
/// <c>t</c> must be found along that locale's chain of catalogs (<see cref="Locales.Chain"/>), which is where a
/// render would look; a publish that would print a raw key, or fail, is refused with the keys per locale.
/// </summary>
public static class TranslationCheck
{
    /// <summary>The missing keys per claimed locale; empty when the template may be published.</summary>
    /// <param name="catalogs">The enterprise's catalogs by canonical locale (those of the claimed locales and their parents suffice).</param>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Missing(
        string? subject, string body, IReadOnlyDictionary<string, LocaleVariant> variants, string? defaultLocale,
        IReadOnlyDictionary<string, JsonElement> catalogs)
    {
        ArgumentNullException.ThrowIfNull(variants);
        ArgumentNullException.ThrowIfNull(catalogs);
        var missing = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var own = Keys(subject, body);
        var claimed = variants.Select(v => (Locale: v.Key, Keys: Keys(v.Value.Subject ?? subject, v.Value.Body))).ToList();
        var defaultName = Locales.Normalize(defaultLocale);
        if (defaultName is not null && !variants.ContainsKey(defaultName))
        {
            claimed.Add((defaultName, own));
        }
        else if (defaultName is null && own.Count > 0)
        {
            // The template's own text, rendered for a subscriber with no variant, would find no catalog to read.
            missing["default"] = own.Order(StringComparer.Ordinal).ToList();
        }

        foreach (var (locale, keys) in claimed)
        {
            var absent = Absent(keys, Locales.Chain(locale, defaultName), catalogs);
            if (absent.Count > 0)
            {
                missing[locale] = absent;
            }
        }

        return missing;
    }

    /// <summary>
    /// The keys a text passes to <c>t</c> that no catalog along <paramref name="chain"/> has, in order: what a render
    /// in that chain would print raw. For a preview in any locale (the console marks them); the publish check is this
    /// over every claimed locale.
    /// </summary>
    public static IReadOnlyList<string> MissingAlong(
        string? subject, string body, IReadOnlyList<string> chain, IReadOnlyDictionary<string, JsonElement> catalogs)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(catalogs);
        return Absent(Keys(subject, body), chain, catalogs);
    }

    private static List<string> Absent(IEnumerable<string> keys, IEnumerable<string> chain, IReadOnlyDictionary<string, JsonElement> catalogs)
    {
        var found = chain.Where(catalogs.ContainsKey).ToList();
        return keys
            .Where(key => !found.Any(l => Translations.Find(catalogs[l], key) is { ValueKind: JsonValueKind.String or JsonValueKind.Object }))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static HashSet<string> Keys(string? subject, string body)
    {
        var keys = new HashSet<string>(Translations.KeysUsed(subject), StringComparer.Ordinal);
        keys.UnionWith(Translations.KeysUsed(body));
        return keys;
    }
}
