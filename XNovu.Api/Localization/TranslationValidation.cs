using System.Text.Json;
using XNovu.Api.Http;
using XNovu.Core.Localization;

namespace XNovu.Api.Localization;

/// <summary>
/// What a catalog and a template's locale variants may hold (issue 30). A catalog is a JSON object whose values are
/// texts, nested objects of the same, or plural forms (an object whose keys are all CLDR categories); its texts are
/// at most <see cref="MaxTextLength"/> characters and it nests at most <see cref="MaxDepth"/> levels.
/// </summary>
internal static class TranslationValidation
{
    public const int MaxDepth = 8;
    public const int MaxTextLength = 10_000;
    public const int MaxCatalogBytes = 256 * 1024;

    public static void CheckCatalog(JsonElement? entries, ValidationErrors errors)
    {
        if (entries is not { ValueKind: JsonValueKind.Object } root)
        {
            errors.Add("entries", "must be an object of texts, nested objects or plural forms.");
            return;
        }

        if (root.GetRawText().Length > MaxCatalogBytes)
        {
            errors.Add("entries", $"must be at most {MaxCatalogBytes / 1024} KB.");
            return;
        }

        Walk(root, "entries", 1, errors);
    }

    private static void Walk(JsonElement node, string path, int depth, ValidationErrors errors)
    {
        foreach (var property in node.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            if (property.Name.Length is 0 or > 100 || property.Name.Contains('.', StringComparison.Ordinal))
            {
                errors.Add(at, "a key is 1 to 100 characters without a dot (nest objects for dotted keys).");
                continue;
            }

            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String when property.Value.GetString()!.Length > MaxTextLength:
                    errors.Add(at, $"must be at most {MaxTextLength} characters.");
                    break;
                case JsonValueKind.String:
                    break;
                case JsonValueKind.Object when Translations.IsPlural(property.Value):
                    if (!property.Value.TryGetProperty(PluralRules.Other, out _))
                    {
                        errors.Add(at, "plural forms must include 'other'.");
                    }

                    break;
                case JsonValueKind.Object when depth < MaxDepth:
                    Walk(property.Value, at, depth + 1, errors);
                    break;
                case JsonValueKind.Object:
                    errors.Add(at, $"nests deeper than {MaxDepth} levels.");
                    break;
                default:
                    errors.Add(at, "must be a text, an object, or plural forms.");
                    break;
            }
        }
    }

    public static int CountTexts(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Count(document.RootElement);

        static int Count(JsonElement node) => node.ValueKind switch
        {
            JsonValueKind.String => 1,
            JsonValueKind.Object when Translations.IsPlural(node) => 1,
            JsonValueKind.Object => node.EnumerateObject().Sum(p => Count(p.Value)),
            _ => 0,
        };
    }

    /// <summary>
    /// A template's variants, checked (each a locale with a Liquid body and an optional subject) and returned with their
    /// locales in canonical form; null when none were given.
    /// </summary>
    public static JsonElement? CheckVariants(JsonElement? locales, ValidationErrors errors, Func<string, string?> explainLiquid)
    {
        if (locales is not { } given || given.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (given.ValueKind != JsonValueKind.Object)
        {
            errors.Add("locales", "must be an object of variants by locale: {\"fr\": {\"subject\": \"...\", \"body\": \"...\"}}.");
            return null;
        }

        var normalized = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in given.EnumerateObject())
        {
            var field = $"locales.{property.Name}";
            if (Locales.Normalize(property.Name) is not { } locale)
            {
                errors.Add(field, "is not a locale (a language such as 'fr', optionally with a region: 'fr-BE' or 'fr_BE').");
                continue;
            }

            if (!normalized.TryAdd(locale, null))
            {
                errors.Add(field, $"names locale {locale} twice.");
                continue;
            }

            var variant = property.Value;
            if (variant.ValueKind != JsonValueKind.Object || !variant.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.String
                || string.IsNullOrWhiteSpace(body.GetString()))
            {
                errors.Add(field, "must be an object with a 'body' (and optionally a 'subject').");
                continue;
            }

            if (explainLiquid(body.GetString()!) is { } bodyProblem)
            {
                errors.Add($"{field}.body", bodyProblem);
            }

            string? subject = null;
            if (variant.TryGetProperty("subject", out var s) && s.ValueKind != JsonValueKind.Null)
            {
                if (s.ValueKind != JsonValueKind.String)
                {
                    errors.Add($"{field}.subject", "must be a text.");
                }
                else if (explainLiquid(subject = s.GetString()!) is { } subjectProblem)
                {
                    errors.Add($"{field}.subject", subjectProblem);
                }
            }

            normalized[locale] = new { subject, body = body.GetString() };
        }

        return JsonSerializer.SerializeToElement(normalized);
    }
}
