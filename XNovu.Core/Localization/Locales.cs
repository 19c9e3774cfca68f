using System.Text.RegularExpressions;

namespace XNovu.Core.Localization;

/// <summary>
/// Locale names and the fallback chain, the one place their rules live (issue 30). A locale is a language of two or
/// three letters, optionally followed by a script and/or a region, separated by <c>-</c> or <c>_</c> (both accepted, as
/// Novu writes <c>fr_BE</c> and BCP 47 <c>fr-BE</c>); it is kept as <c>fr-BE</c>: language lower case, region upper case.
/// </summary>
public static partial class Locales
{
    /// <summary>The canonical form of <paramref name="locale"/> (<c>fr_be</c> → <c>fr-BE</c>); null when it is not a locale.</summary>
    public static string? Normalize(string? locale)
    {
        if (string.IsNullOrWhiteSpace(locale) || locale.Length > 35)
        {
            return null;
        }

        var match = Shape().Match(locale.Trim());
        if (!match.Success)
        {
            return null;
        }

        var language = match.Groups["language"].Value.ToLowerInvariant();
        var script = match.Groups["script"].Success ? "-" + char.ToUpperInvariant(match.Groups["script"].Value[0]) + match.Groups["script"].Value[1..].ToLowerInvariant() : string.Empty;
        var region = match.Groups["region"].Success ? "-" + match.Groups["region"].Value.ToUpperInvariant() : string.Empty;
        return language + script + region;
    }

    /// <summary>
    /// The locales to try for a subscriber, most specific first, without repeats: <c>fr-BE</c> → <c>fr</c> → the
    /// enterprise's default locale (and its language). After the last, a template falls back to its own text.
    /// </summary>
    public static IReadOnlyList<string> Chain(string? subscriberLocale, string? enterpriseDefault)
    {
        var chain = new List<string>(4);
        AddWithParents(chain, Normalize(subscriberLocale));
        AddWithParents(chain, Normalize(enterpriseDefault));
        return chain;
    }

    private static void AddWithParents(List<string> chain, string? locale)
    {
        while (locale is not null)
        {
            if (!chain.Contains(locale, StringComparer.Ordinal))
            {
                chain.Add(locale);
            }

            var cut = locale.LastIndexOf('-');
            locale = cut > 0 ? locale[..cut] : null;
        }
    }

    [GeneratedRegex(@"^(?<language>[A-Za-z]{2,3})(?:[-_](?<script>[A-Za-z]{4}))?(?:[-_](?<region>[A-Za-z]{2}|[0-9]{3}))?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Shape();
}
