using System.Text;
using System.Text.RegularExpressions;

namespace XNovu.Core.Templates;

/// <summary>
/// The original XNovu's function-call include, <c>{{ xnovu_render('key', { name: 'Ann', user: payload.user }) }}</c>,
/// rewritten to our tag, <c>{% xnovu_render "key", name: 'Ann', user: payload.user %}</c>. Templates are
/// rewritten when they are saved (and when they are imported), so the stored Liquid is always ours and the
/// engine needs no second syntax.
/// </summary>
/// <remarks>
/// Only what the tag can express is converted: a literal key, and arguments whose values are string,
/// number or boolean literals or variable paths. Anything else (a nested object, an expression, a key
/// that is a variable) is left as it was and reported, so the caller can refuse it with the reason.
/// </remarks>
#if XNOVU_CLI
// Compiled into XNovu.Cli as well (one rule, not a copy); internal there, so no assembly exports it twice.
internal
#else
public
#endif
static partial class LegacyIncludeSyntax
{
    /// <param name="Liquid">The template with every convertible legacy include rewritten.</param>
    /// <param name="Rewritten">How many legacy includes were rewritten.</param>
    /// <param name="Unconverted">Each legacy include that could not be rewritten, with why.</param>
    public sealed record Result(string Liquid, int Rewritten, IReadOnlyList<string> Unconverted)
    {
        public bool Changed => Rewritten > 0;
    }

    /// <summary>Whether the text holds a legacy include at all (cheap; the common case is no).</summary>
    public static bool Contains(string liquid) =>
        liquid is not null && liquid.Contains("xnovu_render", StringComparison.Ordinal) && LegacyCall().IsMatch(liquid);

    public static Result Rewrite(string liquid)
    {
        ArgumentNullException.ThrowIfNull(liquid);
        if (!Contains(liquid))
        {
            return new Result(liquid, 0, []);
        }

        var rewritten = 0;
        var unconverted = new List<string>();
        var output = LegacyCall().Replace(liquid, match =>
        {
            var (tag, reason) = Convert(match.Groups["args"].Value);
            if (tag is null)
            {
                unconverted.Add($"{Shorten(match.Value)}: {reason}");
                return match.Value;
            }

            rewritten++;
            var open = match.Groups["ltrim"].Success ? "{%-" : "{%";
            var close = match.Groups["rtrim"].Success ? "-%}" : "%}";
            return $"{open} {tag} {close}";
        });
        return new Result(output, rewritten, unconverted);
    }

    /// <summary>The tag's markup for the call's arguments, or null and why not.</summary>
    private static (string? Tag, string? Reason) Convert(string arguments)
    {
        var scanner = new Scanner(arguments);
        scanner.SkipSpace();
        if (scanner.ReadQuoted() is not { } key || key.Length == 0)
        {
            return (null, "the template key must be a quoted literal");
        }

        var tag = new StringBuilder("xnovu_render \"").Append(key).Append('"');
        scanner.SkipSpace();
        if (scanner.AtEnd)
        {
            return (tag.ToString(), null);
        }

        if (!scanner.Take(',') || !scanner.SkipSpace() || !scanner.Take('{'))
        {
            return (null, "the second argument must be an object literal { name: value, ... }");
        }

        while (true)
        {
            scanner.SkipSpace();
            if (scanner.Take('}'))
            {
                break;
            }

            var name = scanner.ReadQuoted() ?? scanner.ReadMatch(Name());
            if (name is null || !Name().IsMatch(name) || Name().Match(name).Length != name.Length)
            {
                return (null, "an argument name must be an identifier");
            }

            scanner.SkipSpace();
            if (!scanner.Take(':'))
            {
                return (null, $"argument '{name}' has no ':'");
            }

            scanner.SkipSpace();
            var value = scanner.ReadQuotedRaw() ?? scanner.ReadMatch(Value());
            if (value is null)
            {
                return (null, $"argument '{name}' must be a string, number or boolean literal or a variable path");
            }

            tag.Append(", ").Append(name).Append(": ").Append(value);
            scanner.SkipSpace();
            if (scanner.Take(','))
            {
                continue;
            }

            if (!scanner.Take('}'))
            {
                return (null, $"argument '{name}' must be followed by ',' or '}}'");
            }

            break;
        }

        scanner.SkipSpace();
        return scanner.AtEnd ? (tag.ToString(), null) : (null, "nothing may follow the object literal");
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    [GeneratedRegex("""\{\{(?<ltrim>-)?\s*xnovu_render\s*\((?<args>.*?)\)\s*(?<rtrim>-)?\}\}""", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex LegacyCall();

    [GeneratedRegex("""\G[A-Za-z_][\w-]*""", RegexOptions.CultureInvariant)]
    private static partial Regex Name();

    // A number, a boolean, or a variable path (payload.user.name, items[0].title); no filters, no spaces.
    [GeneratedRegex("""\G(?:-?\d+(?:\.\d+)?|[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\])*)""", RegexOptions.CultureInvariant)]
    private static partial Regex Value();

    private sealed class Scanner(string text)
    {
        private int _position;

        public bool AtEnd => _position >= text.Length;

        /// <summary>Skips white space; always true, so it chains in conditions.</summary>
        public bool SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }

            return true;
        }

        public bool Take(char expected)
        {
            if (_position < text.Length && text[_position] == expected)
            {
                _position++;
                return true;
            }

            return false;
        }

        /// <summary>A '...' or "..." literal's content (no escapes: the tag has none either).</summary>
        public string? ReadQuoted() => ReadQuotedRaw() is { } raw ? raw[1..^1] : null;

        public string? ReadQuotedRaw()
        {
            if (_position >= text.Length || text[_position] is not ('\'' or '"'))
            {
                return null;
            }

            var quote = text[_position];
            var end = text.IndexOf(quote, _position + 1);
            if (end < 0 || text.AsSpan(_position + 1, end - _position - 1).Contains('\\'))
            {
                return null;
            }

            var raw = text[_position..(end + 1)];
            _position = end + 1;
            return raw;
        }

        public string? ReadMatch(Regex pattern)
        {
            var match = pattern.Match(text, _position);
            if (!match.Success || match.Length == 0)
            {
                return null;
            }

            _position += match.Length;
            return match.Value;
        }
    }
}
