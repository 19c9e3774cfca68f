using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using XNovu.Core.Templates;

namespace XNovu.Core.Localization;

/// <summary>
/// The translation catalogs one render may read, in the order of its locale chain (<see cref="Locales.Chain"/>):
/// the <c>t</c> filter takes a key from the first catalog that has it. A catalog is an enterprise's JSON object per
/// locale: nested objects make dotted keys (<c>cart.items</c>), a string is a text, and an object whose every key is
/// a plural category (<see cref="PluralRules"/>) is a text per form, chosen by the count passed to <c>t</c>.
/// A text names variables as <c>{{ name }}</c>: the arguments passed to <c>t</c>, <c>count</c>, or a template
/// variable (<c>{{ subscriber.firstName }}</c>). That substitution is plain text replacement, not Liquid, so a hostile
/// catalog costs one linear pass and its output is held to the render's budget like any other output.
/// </summary>
public sealed partial class Translations(IReadOnlyList<(string Locale, JsonElement Entries)> catalogs)
{
    /// <summary>Where the engine hands the translations to the filter (DotLiquid's registers).</summary>
    public const string RegisterName = "xnovu_translations";

    public IReadOnlyList<(string Locale, JsonElement Entries)> Catalogs { get; } = catalogs;

    /// <summary>The text of <paramref name="key"/> (a form chosen by <paramref name="count"/>), its variables replaced.</summary>
    /// <param name="lookup">A template variable by name, for a placeholder no argument names.</param>
    /// <exception cref="TemplateRenderException">No catalog has the key, or it has no form for the count.</exception>
    public string Translate(string key, decimal? count, IReadOnlyDictionary<string, object?> arguments, Func<string, object?> lookup)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(lookup);
        foreach (var (locale, entries) in Catalogs)
        {
            if (Find(entries, key) is not { } entry)
            {
                continue;
            }

            var text = entry.ValueKind switch
            {
                JsonValueKind.String => entry.GetString()!,
                JsonValueKind.Object when IsPlural(entry) => Form(entry, locale, key, count),
                _ => throw new TemplateRenderException(
                    TemplateErrorKind.Runtime, $"Translation '{key}' in locale {locale} is neither a text nor plural forms."),
            };
            var result = Interpolate(text, count, arguments, lookup);
            RenderBudget.Ensure(result.Length);
            return result;
        }

        var where = Catalogs.Count == 0 ? "there is no translation catalog for this render's locales" : $"it is in none of the catalogs {string.Join(", ", Catalogs.Select(c => c.Locale))}";
        throw new TemplateRenderException(TemplateErrorKind.Runtime, $"Translation key '{key}' is missing: {where}.");
    }

    /// <summary>
    /// These catalogs and, after them, a text <c>[missing: key]</c> for each of <paramref name="missingKeys"/>: for a
    /// preview, which shows where the keys a send would fail on are, instead of failing (a send never uses it).
    /// </summary>
    public Translations WithPlaceholders(IReadOnlyCollection<string> missingKeys)
    {
        ArgumentNullException.ThrowIfNull(missingKeys);
        if (missingKeys.Count == 0)
        {
            return this;
        }

        var placeholders = JsonSerializer.SerializeToElement(missingKeys.Distinct(StringComparer.Ordinal).ToDictionary(k => k, k => $"[missing: {k}]", StringComparer.Ordinal));
        return new Translations([.. Catalogs, ("missing", placeholders)]);
    }

    /// <summary>The entry at a dotted key: a property of that exact name first, else the path through nested objects.</summary>
    public static JsonElement? Find(JsonElement entries, string key)
    {
        if (entries.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (entries.TryGetProperty(key, out var flat))
        {
            return flat;
        }

        var current = entries;
        foreach (var segment in key.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }

        return current;
    }

    public static bool IsPlural(JsonElement entry) =>
        entry.ValueKind == JsonValueKind.Object
        && entry.EnumerateObject().Any()
        && entry.EnumerateObject().All(p => PluralRules.Categories.Contains(p.Name) && p.Value.ValueKind == JsonValueKind.String);

    private static string Form(JsonElement forms, string locale, string key, decimal? count)
    {
        var category = count is { } n ? PluralRules.Category(locale, n) : PluralRules.Other;
        if (count == 0 && forms.TryGetProperty(PluralRules.Zero, out var zero))
        {
            // An explicit zero form is used for 0 in every language (Knock and i18next do the same).
            return zero.GetString()!;
        }

        return forms.TryGetProperty(category, out var form) || forms.TryGetProperty(PluralRules.Other, out form)
            ? form.GetString()!
            : throw new TemplateRenderException(
                TemplateErrorKind.Runtime, $"Translation '{key}' in locale {locale} has no '{category}' or 'other' form.");
    }

    private static string Interpolate(string text, decimal? count, IReadOnlyDictionary<string, object?> arguments, Func<string, object?> lookup)
    {
        if (!text.Contains("{{", StringComparison.Ordinal))
        {
            return text;
        }

        return Placeholder().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            var value = arguments.TryGetValue(name, out var given) ? given
                : name == "count" && count is { } n ? n
                : lookup(name);
            return Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
        });
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_.]{0,100})\s*\}\}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Placeholder();

    /// <summary>The translation keys a Liquid text passes to <c>t</c> as a literal (<c>{{ 'cart.items' | t: n }}</c>), for the publish check.</summary>
    public static IReadOnlySet<string> KeysUsed(string? liquid)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(liquid))
        {
            return keys;
        }

        foreach (Match match in KeyUse().Matches(liquid))
        {
            keys.Add(match.Groups["key"].Value);
        }

        return keys;
    }

    [GeneratedRegex(@"(?<q>['""])(?<key>[^'""\r\n]{1,200})\k<q>\s*\|\s*t\b(?!\w)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex KeyUse();


    /// <summary>For logs and errors: the catalogs' locales.</summary>
    public override string ToString() => new StringBuilder().AppendJoin(", ", Catalogs.Select(c => c.Locale)).ToString();
}
