using System.Text.Json;

namespace XNovu.Api.Localization;

/// <summary>The enterprise's default locale: the last step of every subscriber's fallback chain before a template's own text.</summary>
public sealed record LocalizationSettings(string? DefaultLocale);

/// <summary>One locale's catalog: nested objects of texts, a text per plural form where a count chooses.</summary>
public sealed record TranslationCatalogResponse(string Locale, JsonElement Entries, DateTime UpdatedAt, string? UpdatedBy);

public sealed record TranslationCatalogSummary(string Locale, int Keys, DateTime UpdatedAt);
