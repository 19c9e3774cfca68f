namespace XNovu.Core.Localization;

/// <summary>
/// The plural category of a count in a language, after the CLDR plural rules (cardinal) for the languages XNovu's
/// enterprises write in most; any other language uses the English rule. Categories are CLDR's names: <c>zero</c>,
/// <c>one</c>, <c>two</c>, <c>few</c>, <c>many</c>, <c>other</c>. A catalog entry lists the forms it needs, and a
/// count whose category the entry lacks takes its <c>other</c> form (<see cref="TranslationCatalogs"/>).
/// <list type="bullet">
/// <item>one for 1, else other: en, de, nl, sv, da, nb, no, nn, it, es, el, fi, et, hu, tr, bg, ca, eu, gl</item>
/// <item>one for 0 and 1 (integer part): fr, pt-BR (and pt, which CLDR gives the same rule since v38)</item>
/// <item>one / few / many by the last digits: ru, uk, be (1, 21, ... one; 2-4, 22-24, ... few; the rest many); pl
///   (1 one; 2-4, 22-24, ... few; the rest many); hr, sr, bs (as ru, fractions other)</item>
/// <item>one / few / other: cs, sk (1 one, 2-4 few); lt, lv simplified to the en rule</item>
/// <item>zero / one / two / few / many / other: ar; one / two / other: he</item>
/// <item>other only: ja, zh, ko, vi, th, id, ms</item>
/// </list>
/// A fractional count is <c>other</c> in every language here but fr (0.5 is one there).
/// </summary>
public static class PluralRules
{
    public const string Zero = "zero";
    public const string One = "one";
    public const string Two = "two";
    public const string Few = "few";
    public const string Many = "many";
    public const string Other = "other";

    public static readonly IReadOnlySet<string> Categories = new HashSet<string>(StringComparer.Ordinal) { Zero, One, Two, Few, Many, Other };

    public static string Category(string? locale, decimal count)
    {
        var language = (Locales.Normalize(locale) ?? "en").Split('-')[0];
        var n = Math.Abs(count);
        var integer = n == decimal.Truncate(n);
        var i = (long)Math.Min(decimal.Truncate(n), long.MaxValue);
        var mod10 = i % 10;
        var mod100 = i % 100;
        switch (language)
        {
            case "ja" or "zh" or "ko" or "vi" or "th" or "id" or "ms":
                return Other;
            case "fr" or "pt":
                return i is 0 or 1 ? One : Other;
            case "ru" or "uk" or "be" or "hr" or "sr" or "bs":
                if (!integer)
                {
                    return Other;
                }

                if (mod10 == 1 && mod100 != 11)
                {
                    return One;
                }

                if (mod10 is >= 2 and <= 4 && mod100 is < 12 or > 14)
                {
                    return Few;
                }

                return language is "hr" or "sr" or "bs" ? Other : Many;
            case "pl":
                if (!integer)
                {
                    return Other;
                }

                if (i == 1)
                {
                    return One;
                }

                return mod10 is >= 2 and <= 4 && mod100 is < 12 or > 14 ? Few : Many;
            case "cs" or "sk":
                return !integer ? Many : i == 1 ? One : i is >= 2 and <= 4 ? Few : Other;
            case "ar":
                return !integer ? Other
                    : i == 0 ? Zero : i == 1 ? One : i == 2 ? Two
                    : mod100 is >= 3 and <= 10 ? Few : mod100 is >= 11 and <= 99 ? Many : Other;
            case "he":
                return !integer ? Other : i == 1 ? One : i == 2 ? Two : Other;
            default:
                return integer && i == 1 ? One : Other;
        }
    }
}
