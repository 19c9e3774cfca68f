using System.Text.RegularExpressions;
using DotLiquid.Exceptions;

namespace XNovu.Core.Templates;

/// <summary>
/// DotLiquid 2.3's syntax errors carry a message but never a position (its tokenizer keeps no offsets), so
/// every position is computed here, from the offending token:
/// <list type="bullet">
/// <item>"X tag was never closed": the opening X tag left without its <c>endX</c>.</item>
/// <item>Any other error is raised while DotLiquid reads one token, and parsing stops there, so the
/// shortest prefix of the source (cut at token ends) that fails with the same message ends at the offending
/// token. Prefixes that stop earlier either parse or fail only with "never closed", so the search is a
/// binary one over token ends.</item>
/// </list>
/// When neither finds it, the position is left null rather than guessed.
/// </summary>
internal static partial class LiquidErrorLocator
{
    public static TemplateParseResult Locate(string source, LiquidException error)
    {
        var message = Readable(error.Message);
        var tokens = LiquidSourceScanner.Scan(source);
        var offset = NeverClosed(error.Message, tokens) ?? FirstFailingToken(source, error.Message, tokens);
        if (offset is not { } found)
        {
            return TemplateParseResult.Invalid(message, null, null);
        }

        var (line, column) = LiquidSourceScanner.LineAndColumn(source, found);
        return TemplateParseResult.Invalid(message, line, column);
    }

    // DotLiquid quotes the rest of the template and a Ruby regex when a tag or output is not terminated.
    private static string Readable(string message)
    {
        var unterminated = NotTerminatedPattern().Match(message);
        if (!unterminated.Success)
        {
            return LiquidParser.Shorten(message);
        }

        const int SnippetLength = 40;
        var snippet = unterminated.Groups["token"].Value.ReplaceLineEndings(" ");
        snippet = snippet.Length <= SnippetLength ? snippet : string.Concat(snippet.AsSpan(0, SnippetLength), "…");
        return unterminated.Groups["kind"].Value == "Tag"
            ? $"Tag '{snippet}' is not closed with '%}}'"
            : $"Output '{snippet}' is not closed with '}}}}'";
    }

    private static int? NeverClosed(string message, List<LiquidToken> tokens)
    {
        var match = NeverClosedPattern().Match(message);
        if (!match.Success)
        {
            return null;
        }

        var name = match.Groups["name"].Value;
        var open = new Stack<LiquidToken>();
        foreach (var token in tokens.Where(t => t.IsTag))
        {
            if (token.Name == name)
            {
                open.Push(token);
            }
            else if (token.Name == "end" + name && open.Count > 0)
            {
                open.Pop();
            }
        }

        return open.Count > 0 ? open.Peek().Start : null;
    }

    private static int? FirstFailingToken(string source, string message, List<LiquidToken> tokens)
    {
        bool FailsTheSameWay(int index) =>
            LiquidParser.TryParse(source[..tokens[index].End]) is { } error && error.Message == message;

        if (tokens.Count == 0 || !FailsTheSameWay(tokens.Count - 1))
        {
            return null;
        }

        var (low, high) = (0, tokens.Count - 1);
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (FailsTheSameWay(middle))
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return tokens[low].Start;
    }

    [GeneratedRegex(@"\A(?<kind>Tag|Variable) '(?<token>.*)' was not properly terminated", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex NotTerminatedPattern();

    [GeneratedRegex(@"\A(?<name>\w+) tag was never closed\z", RegexOptions.CultureInvariant)]
    private static partial Regex NeverClosedPattern();
}
