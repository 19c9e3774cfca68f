using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace XNovu.Core.Templates;

/// <summary>
/// HTML to plain text, for <c>html_to_text</c>, <c>strip_html</c>, <c>extract_subject</c> and the text part of
/// a render. AngleSharp parses the markup as a browser would (entities decoded, linear in the input); the
/// walk below decides how it reads as text.
/// </summary>
internal static class HtmlText
{
    private static readonly HashSet<string> Hidden = new(["script", "style", "head", "title", "template", "noscript"], StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> Blocks = new(
        ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "tr", "blockquote", "pre", "hr", "section", "article", "header", "footer"],
        StringComparer.OrdinalIgnoreCase);

    private static readonly HtmlParser Parser = new();

    /// <summary>Readable text: blocks become lines, list items bullets, links "text (url)".</summary>
    public static string ToText(string html)
    {
        if (html.Length == 0)
        {
            return html;
        }

        var text = new StringBuilder(html.Length);
        AppendReadable(Parse(html), text);
        return TidyLines(text.Replace('\u00A0', ' ').ToString());
    }

    /// <summary>Markup removed, entities decoded, whitespace left as it was.</summary>
    public static string Strip(string html)
    {
        if (html.Length == 0)
        {
            return html;
        }

        var text = new StringBuilder(html.Length);
        AppendVisible(Parse(html), text);
        return text.ToString();
    }

    /// <summary>The first heading (HTML or Markdown), or else the first non-empty line of text.</summary>
    public static string ExtractSubject(string input)
    {
        if (Parse(input).QuerySelector("h1, h2, h3, h4, h5, h6") is { } heading)
        {
            var visible = new StringBuilder();
            AppendVisible(heading, visible);
            return Collapse(visible.ToString());
        }

        foreach (var line in ToText(input).Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            var marks = trimmed.AsSpan().IndexOfAnyExcept('#');
            return marks is >= 1 and <= 6 && char.IsWhiteSpace(trimmed[marks]) ? trimmed[marks..].Trim() : trimmed;
        }

        return string.Empty;
    }

    private static IElement Parse(string html)
    {
        MarkupLimits.Ensure(html);
        var document = Parser.ParseDocument(html);
        return document.Body ?? document.DocumentElement;
    }

    // The walks keep their own stack: markup nested a hundred thousand deep must not overflow the thread's.
    private static void AppendVisible(INode root, StringBuilder text) => Walk(root, text, readable: false);

    private static void AppendReadable(INode root, StringBuilder text) => Walk(root, text, readable: true);

    private static void Walk(INode root, StringBuilder text, bool readable)
    {
        var pending = new Stack<(INode Node, bool Leaving, int Start)>();
        PushChildren(pending, root);
        while (pending.TryPop(out var item))
        {
            var (node, leaving, start) = item;
            if (node is IText piece)
            {
                text.Append(piece.Data);
                continue;
            }

            if (node is not IElement element || Hidden.Contains(element.LocalName))
            {
                continue;
            }

            if (leaving)
            {
                Leave(element, text, start);
                continue;
            }

            if (readable)
            {
                Enter(element, text);
                pending.Push((element, true, text.Length));
            }

            PushChildren(pending, element);
        }
    }

    private static void PushChildren(Stack<(INode Node, bool Leaving, int Start)> pending, INode parent)
    {
        // By index: AngleSharp finds a node's previous sibling by searching its parent's children.
        var children = parent.ChildNodes;
        for (var index = children.Length - 1; index >= 0; index--)
        {
            pending.Push((children[index], false, 0));
        }
    }

    private static void Enter(IElement element, StringBuilder text)
    {
        if (element.LocalName == "br")
        {
            text.Append('\n');
        }
        else if (element.LocalName == "li")
        {
            text.Append("\n- ");
        }
        else if (Blocks.Contains(element.LocalName))
        {
            text.Append('\n');
        }
    }

    private static void Leave(IElement element, StringBuilder text, int labelStart)
    {
        if (Blocks.Contains(element.LocalName))
        {
            text.Append('\n');
        }
        else if (element.LocalName == "a")
        {
            var href = element.GetAttribute("href")?.Trim() ?? string.Empty;
            var label = text.ToString(labelStart, text.Length - labelStart).Trim();
            if (href.Length > 0 && !href.StartsWith('#') && !string.Equals(href, label, StringComparison.OrdinalIgnoreCase))
            {
                text.Append(" (").Append(href.Replace("mailto:", string.Empty, StringComparison.OrdinalIgnoreCase)).Append(')');
            }
        }
    }

    private static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string TidyLines(string text)
    {
        var result = new StringBuilder(text.Length);
        var blankLines = 0;
        foreach (var rawLine in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = Collapse(rawLine);
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
}
