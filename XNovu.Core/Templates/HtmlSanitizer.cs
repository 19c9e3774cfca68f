using System.Collections.Frozen;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace XNovu.Core.Templates;

/// <summary>
/// Allow-list HTML sanitisers for <c>sanitize_email</c> and <c>sanitize_inapp</c>. The input is read as
/// tags and text; a tag survives only if its name is allowed, and then only with allowed attributes, URLs of
/// a safe scheme and styles without script. The output is re-serialised (attributes quoted and encoded, tags
/// balanced), so what a browser sees is what was checked. Dangerous elements go with their content;
/// comments and declarations go; any other '&lt;' is encoded as text.
/// </summary>
internal static partial class HtmlSanitizer
{
    private const int RegexTimeoutMs = 2000;

    private static readonly FrozenSet<string> DroppedWithContent = FrozenSet.ToFrozenSet(
        ["script", "style", "iframe", "object", "embed", "applet", "noscript", "noembed", "noframes", "template", "svg", "math", "frameset", "frame", "title", "textarea", "select", "xmp"],
        StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> VoidElements = FrozenSet.ToFrozenSet(["br", "hr", "img", "col", "wbr"], StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> UrlAttributes = FrozenSet.ToFrozenSet(["href", "src", "background", "cite"], StringComparer.OrdinalIgnoreCase);

    private static readonly Policy Email = new(
        Tags: FrozenSet.ToFrozenSet(
            ["html", "head", "body", "a", "abbr", "address", "b", "big", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul"],
            StringComparer.OrdinalIgnoreCase),
        Attributes: FrozenSet.ToFrozenSet(
            ["href", "src", "alt", "title", "target", "rel", "name", "width", "height", "align", "valign", "bgcolor", "background", "border", "cellpadding", "cellspacing", "class", "color", "colspan", "rowspan", "dir", "face", "lang", "role", "size", "start", "style", "type", "cite"],
            StringComparer.OrdinalIgnoreCase),
        Schemes: FrozenSet.ToFrozenSet(["http", "https", "mailto", "cid"], StringComparer.OrdinalIgnoreCase));

    private static readonly Policy InApp = new(
        Tags: FrozenSet.ToFrozenSet(["a", "b", "strong", "i", "em", "u", "s", "br", "code", "span", "small", "mark", "sub", "sup"], StringComparer.OrdinalIgnoreCase),
        Attributes: FrozenSet.ToFrozenSet(["href", "title"], StringComparer.OrdinalIgnoreCase),
        Schemes: FrozenSet.ToFrozenSet(["http", "https", "mailto"], StringComparer.OrdinalIgnoreCase));

    public static string ForEmail(string html) => Sanitize(html, Email);

    public static string ForInApp(string html) => Sanitize(html, InApp);

    private static string Sanitize(string html, Policy policy)
    {
        var output = new StringBuilder(html.Length);
        var open = new List<string>();
        var position = 0;
        while (position < html.Length)
        {
            var lt = html.IndexOf('<', position);
            if (lt < 0)
            {
                AppendText(output, html.AsSpan(position));
                break;
            }

            AppendText(output, html.AsSpan(position, lt - position));
            position = lt;

            if (html.AsSpan(lt).StartsWith("<!--", StringComparison.Ordinal))
            {
                var end = html.IndexOf("-->", lt + 4, StringComparison.Ordinal);
                position = end < 0 ? html.Length : end + 3;
                continue;
            }

            var declaration = Declaration().Match(html, lt);
            if (declaration.Success && declaration.Index == lt)
            {
                position = lt + declaration.Length;
                continue;
            }

            var tag = Tag().Match(html, lt);
            if (!tag.Success || tag.Index != lt)
            {
                output.Append("&lt;");
                position = lt + 1;
                continue;
            }

            position = lt + tag.Length;
            var name = tag.Groups["name"].Value.ToLowerInvariant();
            var closing = tag.Groups["close"].Success;

            if (DroppedWithContent.Contains(name))
            {
                if (!closing && !tag.Groups["self"].Success)
                {
                    var end = ClosingTag(name).Match(html, position);
                    position = end.Success ? end.Index + end.Length : html.Length;
                }

                continue;
            }

            if (!policy.Tags.Contains(name))
            {
                continue;
            }

            if (closing)
            {
                var index = open.LastIndexOf(name);
                if (index >= 0)
                {
                    for (var i = open.Count - 1; i >= index; i--)
                    {
                        output.Append("</").Append(open[i]).Append('>');
                    }

                    open.RemoveRange(index, open.Count - index);
                }

                continue;
            }

            output.Append('<').Append(name);
            AppendAttributes(output, tag.Groups["attributes"].Value, policy);
            output.Append('>');
            if (!VoidElements.Contains(name))
            {
                open.Add(name);
            }
        }

        for (var i = open.Count - 1; i >= 0; i--)
        {
            output.Append("</").Append(open[i]).Append('>');
        }

        return output.ToString();
    }

    private static void AppendText(StringBuilder output, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c == '>')
            {
                output.Append("&gt;");
            }
            else
            {
                output.Append(c);
            }
        }
    }

    private static void AppendAttributes(StringBuilder output, string attributes, Policy policy)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match attribute in Attribute().Matches(attributes))
        {
            var name = attribute.Groups["name"].Value.ToLowerInvariant();
            if (!policy.Attributes.Contains(name) || !seen.Add(name))
            {
                continue;
            }

            var value = WebUtility.HtmlDecode(attribute.Groups["value"].Value);
            if (UrlAttributes.Contains(name) && !IsSafeUrl(value, policy))
            {
                continue;
            }

            if (name == "style" && !IsSafeStyle(value))
            {
                continue;
            }

            output.Append(' ').Append(name).Append("=\"").Append(WebUtility.HtmlEncode(value)).Append('"');
        }
    }

    private static bool IsSafeUrl(string url, Policy policy)
    {
        // Browsers ignore control characters and whitespace inside a scheme ("java\nscript:"), so must we.
        var compact = new string(url.Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).ToArray());
        var colon = compact.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return true;
        }

        var boundary = compact.IndexOfAny(['/', '?', '#']);
        return (boundary >= 0 && boundary < colon) || policy.Schemes.Contains(compact[..colon]);
    }

    private static bool IsSafeStyle(string style)
    {
        var compact = new string(StyleComment().Replace(style, string.Empty).Where(c => !char.IsWhiteSpace(c) && c != '\\').ToArray()).ToLowerInvariant();
        return !(compact.Contains("expression(", StringComparison.Ordinal)
            || compact.Contains("javascript:", StringComparison.Ordinal)
            || compact.Contains("vbscript:", StringComparison.Ordinal)
            || compact.Contains("behavior:", StringComparison.Ordinal)
            || compact.Contains("-moz-binding", StringComparison.Ordinal)
            || compact.Contains("@import", StringComparison.Ordinal));
    }

    private static Regex ClosingTag(string name) =>
        new($@"</{Regex.Escape(name)}\s*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(RegexTimeoutMs));

    private sealed record Policy(FrozenSet<string> Tags, FrozenSet<string> Attributes, FrozenSet<string> Schemes);

    [GeneratedRegex(@"\G<(?<close>/)?(?<name>[a-zA-Z][a-zA-Z0-9:-]*)(?<attributes>(?:\s+[^\s""'>/=]+(?:\s*=\s*(?:""[^""]*""|'[^']*'|[^\s""'>]+))?)*)\s*(?<self>/)?>", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex Tag();

    [GeneratedRegex(@"\G<[!?][^>]*>", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex Declaration();

    [GeneratedRegex(@"(?<name>[^\s""'>/=]+)(?:\s*=\s*(?:""(?<value>[^""]*)""|'(?<value>[^']*)'|(?<value>[^\s""'>]+)))?", RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex Attribute();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline | RegexOptions.CultureInvariant, RegexTimeoutMs)]
    private static partial Regex StyleComment();
}
