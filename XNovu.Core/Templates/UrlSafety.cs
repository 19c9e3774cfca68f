namespace XNovu.Core.Templates;

/// <summary>
/// The one rule for which URLs may reach an HTML body: relative URLs, and absolute ones of an allowed scheme.
/// <c>javascript:</c>, <c>data:</c>, <c>vbscript:</c> and anything unknown are not. Every URL attribute of a
/// rendered email or in-app body is held to it (<see cref="UrlAttributes"/>); the <c>url</c> filter applies it early.
/// </summary>
internal static class UrlSafety
{
    public const string Neutralised = "#";

    public static readonly IReadOnlyList<string> EmailSchemes = ["http", "https", "mailto", "tel", "cid"];

    public static readonly IReadOnlyList<string> InAppSchemes = ["http", "https", "mailto", "tel"];

    /// <summary>Links written by a template (the <c>url</c> filter, Markdown links) may use these.</summary>
    public static readonly IReadOnlyList<string> LinkSchemes = ["http", "https", "mailto", "tel"];

    public static bool IsSafe(string url, IReadOnlyList<string> schemes)
    {
        // A scheme ends at the first ':' that comes before any '/', '?' or '#'. Browsers ignore control
        // characters and whitespace inside it ("java\tscript:"), so they are dropped before comparing.
        var end = url.AsSpan().IndexOfAny(":/?#");
        if (end < 0 || url[end] != ':')
        {
            return true;
        }

        var scheme = new string(url.AsSpan(0, end).ToArray().Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).ToArray());
        return schemes.Contains(scheme, StringComparer.OrdinalIgnoreCase);
    }

    public static string Filter(string url, IReadOnlyList<string> schemes) => IsSafe(url, schemes) ? url : Neutralised;
}
