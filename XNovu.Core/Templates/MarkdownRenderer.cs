using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace XNovu.Core.Templates;

/// <summary>
/// The small Markdown subset <c>markdown_to_html</c> supports: ATX headings, paragraphs, unordered and
/// ordered lists, fenced code blocks, inline code, bold, italic and links. The text is HTML-encoded before
/// any Markdown is applied, so raw HTML in the input comes out as text, never as markup; link targets are
/// limited to http, https, mailto and relative URLs.
/// </summary>
internal static partial class MarkdownRenderer
{
    private const int RegexTimeoutMs = 2000;

    public static string ToHtml(string markdown)
    {
        var html = new StringBuilder();
        var paragraph = new List<string>();
        string? openList = null;
        var lines = markdown.Replace("\r\n", "\n").Split('\n');

        void CloseParagraph()
        {
            if (paragraph.Count > 0)
            {
                html.Append("<p>").Append(string.Join("<br>", paragraph.Select(Inline))).Append("</p>\n");
                paragraph.Clear();
            }
        }

        void CloseList()
        {
            if (openList is not null)
            {
                html.Append("</").Append(openList).Append(">\n");
                openList = null;
            }
        }

        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index];
            var trimmed = line.Trim();

            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                CloseParagraph();
                CloseList();
                var code = new List<string>();
                while (++index < lines.Length && !lines[index].Trim().StartsWith("```", StringComparison.Ordinal))
                {
                    code.Add(lines[index]);
                }

                html.Append("<pre><code>").Append(WebUtility.HtmlEncode(string.Join("\n", code))).Append("</code></pre>\n");
                continue;
            }

            if (trimmed.Length == 0)
            {
                CloseParagraph();
                CloseList();
                continue;
            }

            var heading = Heading().Match(trimmed);
            if (heading.Success)
            {
                CloseParagraph();
                CloseList();
                var level = heading.Groups["marks"].Length;
                html.Append("<h").Append(level).Append('>').Append(Inline(heading.Groups["text"].Value.TrimEnd('#', ' '))).Append("</h").Append(level).Append(">\n");
                continue;
            }

            var item = UnorderedItem().Match(line);
            var listTag = "ul";
            if (!item.Success)
            {
                item = OrderedItem().Match(line);
                listTag = "ol";
            }

            if (item.Success)
            {
                CloseParagraph();
                if (openList != listTag)
                {
                    CloseList();
                    html.Append('<').Append(listTag).Append(">\n");
                    openList = listTag;
                }

                html.Append("<li>").Append(Inline(item.Groups["text"].Value.Trim())).Append("</li>\n");
                continue;
            }

            CloseList();
            paragraph.Add(trimmed);
        }

        CloseParagraph();
        CloseList();
        return html.ToString().TrimEnd('\n');
    }

    /// <summary>Inline code first (its content is left alone), then links, bold and italic on encoded text.</summary>
    private static string Inline(string text)
    {
        var result = new StringBuilder();
        var position = 0;
        foreach (Match code in InlineCode().Matches(text))
        {
            result.Append(Emphasis(text[position..code.Index]));
            result.Append("<code>").Append(WebUtility.HtmlEncode(code.Groups["code"].Value)).Append("</code>");
            position = code.Index + code.Length;
        }

        result.Append(Emphasis(text[position..]));
        return result.ToString();
    }

    private static string Emphasis(string text)
    {
        // Links are set aside while bold and italic run, so underscores and stars in a URL stay as they are.
        var links = new List<string>();
        var encoded = Link().Replace(WebUtility.HtmlEncode(text.Replace("\0", string.Empty, StringComparison.Ordinal)), match =>
        {
            var url = WebUtility.HtmlDecode(match.Groups["url"].Value).Trim();
            links.Add(IsSafeUrl(url)
                ? $"<a href=\"{WebUtility.HtmlEncode(url)}\">{Emphasize(match.Groups["label"].Value)}</a>"
                : Emphasize(match.Groups["label"].Value));
            return $"\0{links.Count - 1}\0";
        });
        encoded = Emphasize(encoded);
        return links.Count == 0 ? encoded : LinkPlaceholder().Replace(encoded, match => links[int.Parse(match.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture)]);
    }

    private static string Emphasize(string encoded) =>
        Italic().Replace(Bold().Replace(encoded, "<strong>${text}</strong>"), "<em>${text}</em>");

    internal static bool IsSafeUrl(string url)
    {
        var scheme = UrlScheme().Match(url);
        return !scheme.Success
            || scheme.Groups["scheme"].Value.ToUpperInvariant() is "HTTP" or "HTTPS" or "MAILTO";
    }

    [GeneratedRegex(@"\A(?<marks>#{1,6})\s+(?<text>.+)\z", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex Heading();

    [GeneratedRegex(@"\A\s{0,3}[-*+]\s+(?<text>.+)\z", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex UnorderedItem();

    [GeneratedRegex(@"\A\s{0,3}\d{1,9}[.)]\s+(?<text>.+)\z", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex OrderedItem();

    [GeneratedRegex(@"`(?<code>[^`]+)`", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\[(?<label>[^\]]+)\]\((?<url>[^)\s]+)\)", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex Link();

    [GeneratedRegex(@"\0(?<index>\d+)\0", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex LinkPlaceholder();

    [GeneratedRegex(@"\*\*(?<text>[^*]+)\*\*|__(?<text>[^_]+)__", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex Bold();

    [GeneratedRegex(@"(?<![\w*])\*(?<text>[^*\s][^*]*)\*(?![\w*])|(?<![\w_])_(?<text>[^_\s][^_]*)_(?![\w_])", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex Italic();

    // A scheme is letters then ':' before any '/', '?' or '#'; control characters and spaces that browsers
    // ignore inside "java\tscript:" are removed before looking.
    [GeneratedRegex(@"\A[\s\x00-\x1f]*(?<scheme>[a-zA-Z][a-zA-Z0-9+.\-\s\x00-\x1f]*):", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex UrlScheme();
}
