using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace XNovu.Core.Templates;

/// <summary>HTML to plain text, for <c>html_to_text</c>, <c>strip_html</c>, <c>extract_subject</c> and the text part of a render.</summary>
internal static partial class HtmlText
{
    private const int RegexTimeoutMs = 2000;

    /// <summary>Readable text: blocks become lines, list items bullets, links "text (url)".</summary>
    public static string ToText(string html)
    {
        if (html.Length == 0)
        {
            return html;
        }

        var text = HiddenContent().Replace(html, string.Empty);
        text = LineBreak().Replace(text, "\n");
        text = ListItem().Replace(text, "\n- ");
        text = BlockBoundary().Replace(text, "\n");
        text = Link().Replace(text, match =>
        {
            var href = WebUtility.HtmlDecode(match.Groups["href"].Value).Trim();
            var label = match.Groups["label"].Value;
            var labelText = WebUtility.HtmlDecode(AnyTag().Replace(label, string.Empty)).Trim();
            return href.Length == 0 || href.StartsWith('#') || string.Equals(href, labelText, StringComparison.OrdinalIgnoreCase)
                ? label
                : $"{label} ({href.Replace("mailto:", string.Empty, StringComparison.OrdinalIgnoreCase)})";
        });
        text = AnyTag().Replace(text, string.Empty);
        text = WebUtility.HtmlDecode(text).Replace('\u00A0', ' ');
        return TidyLines(text);
    }

    /// <summary>Markup removed, entities decoded, whitespace left as it was.</summary>
    public static string Strip(string html) =>
        html.Length == 0 ? html : WebUtility.HtmlDecode(AnyTag().Replace(HiddenContent().Replace(html, string.Empty), string.Empty));

    /// <summary>The first heading (HTML or Markdown), or else the first non-empty line of text.</summary>
    public static string ExtractSubject(string input)
    {
        var heading = HtmlHeading().Match(input);
        if (heading.Success)
        {
            return Collapse(Strip(heading.Groups["text"].Value));
        }

        foreach (var line in ToText(input).Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            var markdownHeading = MarkdownHeading().Match(trimmed);
            return markdownHeading.Success ? markdownHeading.Groups["text"].Value.Trim() : trimmed;
        }

        return string.Empty;
    }

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    private static string TidyLines(string text)
    {
        var result = new StringBuilder(text.Length);
        var blankLines = 0;
        foreach (var rawLine in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = Whitespace().Replace(rawLine, " ").Trim();
            if (line.Length == 0)
            {
                blankLines++;
                continue;
            }

            if (result.Length > 0)
            {
                result.Append(blankLines > 0 ? "\n\n" : "\n");
            }

            result.Append(line);
            blankLines = 0;
        }

        return result.ToString();
    }

    [GeneratedRegex(@"<(script|style|head|title|template|noscript)\b[^>]*>.*?</\1\s*>|<!--.*?-->", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex HiddenContent();

    [GeneratedRegex(@"<br\s*/?>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"<li\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex ListItem();

    [GeneratedRegex(@"</?(p|div|h[1-6]|ul|ol|table|tr|blockquote|pre|hr|section|article|header|footer)\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex BlockBoundary();

    [GeneratedRegex("""<a\b[^>]*?\bhref\s*=\s*(?:"(?<href>[^"]*)"|'(?<href>[^']*)'|(?<href>[^\s>]+))[^>]*>(?<label>.*?)</a\s*>""", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex Link();

    [GeneratedRegex(@"<[a-zA-Z/!?][^>]*>", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex AnyTag();

    [GeneratedRegex(@"<h[1-6]\b[^>]*>(?<text>.*?)</h[1-6]\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex HtmlHeading();

    [GeneratedRegex(@"\A#{1,6}\s+(?<text>.+)\z", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex MarkdownHeading();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex Whitespace();
}
