using System.Text.RegularExpressions;

namespace XNovu.Core.Templates;

/// <summary>A <c>{% tag %}</c> or <c>{{ output }}</c> in Liquid source, with where it starts and ends.</summary>
/// <param name="End">The offset just past the token; the end of the source when it is not terminated.</param>
/// <param name="Name">The tag's name (<c>if</c>, <c>endfor</c>); empty for an output.</param>
/// <param name="Markup">What is between the delimiters, whitespace-control dashes removed.</param>
internal sealed record LiquidToken(bool IsTag, int Start, int End, string Name, string Markup, bool IsTerminated);

/// <summary>
/// Finds the tags and outputs in Liquid source the way DotLiquid's (internal) tokenizer does at syntax level
/// 2.2, but keeping their offsets, which DotLiquid throws away: it is how error positions and output filters
/// are found.
/// </summary>
internal static partial class LiquidSourceScanner
{
    /// <summary>Tags whose content DotLiquid does not parse (its RawBlock tags).</summary>
    private static readonly string[] RawTags = ["raw", "comment"];

    public static List<LiquidToken> Scan(string source)
    {
        var tokens = new List<LiquidToken>();
        var position = 0;
        while (true)
        {
            var start = source.IndexOf('{', position);
            while (start >= 0 && (start + 1 >= source.Length || source[start + 1] is not ('{' or '%')))
            {
                start = source.IndexOf('{', start + 1);
            }

            if (start < 0)
            {
                return tokens;
            }

            var isTag = source[start + 1] == '%';
            var end = FindEnd(source, start + 2, isTag ? '%' : '}');
            if (end < 0)
            {
                tokens.Add(new LiquidToken(isTag, start, source.Length, TagName(source, start, source.Length, isTag), string.Empty, false));
                return tokens;
            }

            var markup = WithoutWhitespaceControl(source[(start + 2)..(end - 2)]);
            var name = isTag ? TagName(source, start, end, isTag) : string.Empty;
            tokens.Add(new LiquidToken(isTag, start, end, name, isTag && name.Length > 0 ? markup[name.Length..].Trim() : markup, true));
            position = end;

            if (isTag && RawTags.Contains(name, StringComparer.Ordinal))
            {
                var close = RawEnd(name).Match(source, position);
                if (!close.Success)
                {
                    return tokens;
                }

                tokens.Add(new LiquidToken(true, close.Index, close.Index + close.Length, "end" + name, string.Empty, true));
                position = close.Index + close.Length;
            }
        }
    }

    /// <summary>1-based line and column of an offset.</summary>
    public static (int Line, int Column) LineAndColumn(string source, int offset)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }

    private static string WithoutWhitespaceControl(string inner)
    {
        if (inner.StartsWith('-'))
        {
            inner = inner[1..];
        }

        if (inner.EndsWith('-'))
        {
            inner = inner[..^1];
        }

        return inner.Trim();
    }

    // As DotLiquid reads a tag: quoted strings are skipped whole, so a '%}' inside quotes does not end it.
    private static int FindEnd(string source, int from, char closing)
    {
        for (var i = from; i < source.Length; i++)
        {
            var c = source[i];
            if (c is '"' or '\'')
            {
                var quoteEnd = source.IndexOf(c, i + 1);
                if (quoteEnd < 0)
                {
                    return -1;
                }

                i = quoteEnd;
            }
            else if (c == closing && i + 1 < source.Length && source[i + 1] == '}')
            {
                return i + 2;
            }
        }

        return -1;
    }

    private static string TagName(string source, int start, int end, bool isTag)
    {
        if (!isTag)
        {
            return string.Empty;
        }

        var name = TagNamePattern().Match(source[start..end]);
        return name.Success ? name.Groups[1].Value : string.Empty;
    }

    private static Regex RawEnd(string name) => name == "raw" ? RawEndPattern() : CommentEndPattern();

    [GeneratedRegex(@"\A\{%-?\s*(\w+)", RegexOptions.CultureInvariant)]
    private static partial Regex TagNamePattern();

    [GeneratedRegex(@"\{%-?\s*endraw\s*-?%\}", RegexOptions.CultureInvariant)]
    private static partial Regex RawEndPattern();

    [GeneratedRegex(@"\{%-?\s*endcomment\s*-?%\}", RegexOptions.CultureInvariant)]
    private static partial Regex CommentEndPattern();
}
