using System.Text.Json;
using XNovu.Core.Templates;

namespace XNovu.Core.Localization;

/// <summary>
/// A template's <c>locales</c> column (<c>{"fr": {"subject": "...", "body": "..."}}</c>) read into variants, and the
/// choice of the variant and locale a subscriber gets: the one rule for both.
/// </summary>
public static class LocaleVariants
{
    private static readonly IReadOnlyDictionary<string, LocaleVariant> None = new Dictionary<string, LocaleVariant>();

    /// <summary>The variants stored as JSON; entries without a body, or under a name that is no locale, are skipped.</summary>
    public static IReadOnlyDictionary<string, LocaleVariant> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json) || json == "{}")
        {
            return None;
        }

        using var document = JsonDocument.Parse(json);
        var variants = new Dictionary<string, LocaleVariant>(StringComparer.Ordinal);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return None;
        }

        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (Locales.Normalize(property.Name) is { } locale
                && property.Value.ValueKind == JsonValueKind.Object
                && property.Value.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.String)
            {
                var subject = property.Value.TryGetProperty("subject", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                variants[locale] = new LocaleVariant(subject, body.GetString()!);
            }
        }

        return variants;
    }

    /// <summary>
    /// What a subscriber gets of <paramref name="template"/>: the variant of the first locale of
    /// <paramref name="chain"/> the template has one for, else the template's own text. <c>Locale</c> is the locale
    /// it is rendered in: the variant's; for the template's own text, the first locale of the chain the enterprise
    /// has a catalog for (its <c>t</c> texts are in it), else the enterprise's default locale, else null.
    /// </summary>
    public static (TemplateDefinition Template, string? Locale) Choose(
        TemplateDefinition template, IReadOnlyList<string> chain, IReadOnlySet<string> catalogLocales, string? enterpriseDefault)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(catalogLocales);
        foreach (var locale in chain)
        {
            if (template.Locales.TryGetValue(locale, out var variant))
            {
                return (template with { SubjectTemplate = variant.Subject ?? template.SubjectTemplate, BodyTemplate = variant.Body }, locale);
            }
        }

        var rendered = chain.FirstOrDefault(catalogLocales.Contains) ?? Locales.Normalize(enterpriseDefault);
        return (template, rendered);
    }
}
