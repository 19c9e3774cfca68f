using System.Collections.Frozen;
using System.Globalization;

namespace XNovu.Core.Templates;

/// <summary>
/// An HTML5 parser (a browser's or AngleSharp's) does work per element that grows with the depth of the open
/// elements, and the sanitiser walks every element more than once; so markup of a hundred thousand nested
/// tags takes minutes however linear the tokenizer is. Before any markup is parsed, one linear scan counts its
/// tags and estimates their nesting, and markup past either limit is refused as over the render's budget.
/// </summary>
/// <remarks>
/// The estimate counts start tags against end tags, leaving out void elements and those whose end tag is
/// optional (a run of unclosed <c>&lt;p&gt;</c> or <c>&lt;li&gt;</c> is a flat list, not a deep one). Browsers
/// themselves stop nesting at 512 levels.
/// </remarks>
internal static class MarkupLimits
{
    public const int MaxTags = 5_000;

    public const int MaxDepth = 512;

    private static readonly FrozenSet<string> Flat = FrozenSet.ToFrozenSet(
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup", "colgroup", "caption", "rt", "rp", "html", "head", "body"],
        StringComparer.OrdinalIgnoreCase);

    public static void Ensure(string html)
    {
        var tags = 0;
        var depth = 0;
        var position = html.IndexOf('<', StringComparison.Ordinal);
        while (position >= 0 && position < html.Length - 1)
        {
            var closing = html[position + 1] == '/';
            var start = position + (closing ? 2 : 1);
            var end = start;
            while (end < html.Length && char.IsAsciiLetterOrDigit(html[end]))
            {
                end++;
            }

            if (end == start || !char.IsAsciiLetter(html[start]))
            {
                position = html.IndexOf('<', start);
                continue;
            }

            if (!closing && ++tags > MaxTags)
            {
                throw TooMuch($"more than {MaxTags:N0} tags");
            }

            if (!Flat.Contains(html.AsSpan(start, end - start).ToString()))
            {
                depth = closing ? Math.Max(0, depth - 1) : depth + 1;
                if (depth > MaxDepth)
                {
                    throw TooMuch($"elements nested more than {MaxDepth:N0} deep");
                }
            }

            position = TagEnd(html, end);
        }
    }

    /// <summary>
    /// Where a tag's attributes end: the first '&gt;' outside a quoted value, as the tokenizer reads it, so a
    /// '&lt;' inside a tag (<c>&lt;a &lt;a &lt;a</c>) is an attribute name, not another tag.
    /// </summary>
    private static int TagEnd(string html, int from)
    {
        var quote = '\0';
        var afterEquals = false;
        for (var index = from; index < html.Length; index++)
        {
            var c = html[index];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
                continue;
            }

            if (c == '>')
            {
                return html.IndexOf('<', index);
            }

            if (afterEquals && c is '"' or '\'')
            {
                quote = c;
            }

            afterEquals = c == '=' || (afterEquals && char.IsWhiteSpace(c));
        }

        return -1;
    }

    private static TemplateRenderException TooMuch(string what) => new(
        TemplateErrorKind.Budget,
        string.Create(CultureInfo.InvariantCulture, $"The markup has {what}, more than a render may go through."));
}
