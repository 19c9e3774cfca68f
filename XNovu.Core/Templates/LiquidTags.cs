using System.Net;
using System.Text.RegularExpressions;
using DotLiquid;
using DotLiquid.Exceptions;
using DotLiquid.Tags;

namespace XNovu.Core.Templates;

/// <summary>
/// <c>{% xnovu_render "key", name: value, other: payload.x %}</c>: renders the body of another template of
/// the same enterprise, with the arguments as variables beside the caller's.
/// </summary>
/// <remarks>
/// DotLiquid renders synchronously, and blocking on the asynchronous source from inside a tag could starve
/// the thread pool or deadlock. So the key must be a literal: parsing records it
/// (<see cref="IncludeKeyCollector"/>), the engine fetches the whole include graph asynchronously before it
/// renders, and this tag only looks templates up in what was fetched (<see cref="RenderSession"/>).
/// </remarks>
internal sealed partial class XNovuRenderTag : Tag
{
    private const string Usage = "Syntax Error in 'xnovu_render' tag - Valid syntax: xnovu_render \"template-key\", name: value, ...";

    private string _templateKey = string.Empty;
    private IReadOnlyList<KeyValuePair<string, string>> _arguments = [];

    public override void Initialize(string tagName, string markup, List<string> tokens)
    {
        var key = KeyPattern().Match(markup);
        if (!key.Success)
        {
            throw new SyntaxException("{0}", Usage);
        }

        var arguments = new List<KeyValuePair<string, string>>();
        var position = key.Length;
        while (position < markup.Length)
        {
            var argument = ArgumentPattern().Match(markup, position);
            if (!argument.Success || argument.Length == 0)
            {
                throw new SyntaxException("{0}", Usage);
            }

            arguments.Add(new(argument.Groups["name"].Value, argument.Groups["value"].Value));
            position += argument.Length;
        }

        _templateKey = key.Groups["key"].Value;
        _arguments = arguments;
        IncludeKeyCollector.Record(_templateKey);
        base.Initialize(tagName, markup, tokens);
    }

    public override void Render(Context context, TextWriter result)
    {
        if (context.Registers[RenderSession.RegisterName] is not RenderSession session)
        {
            throw new InvalidOperationException("xnovu_render needs the template engine's render session.");
        }

        var variables = new Hash();
        foreach (var (name, expression) in _arguments)
        {
            variables[name] = context[expression];
        }

        session.RenderInclude(_templateKey, variables, context, result);
    }

    [GeneratedRegex("""\A\s*(?:"(?<key>[^"]+)"|'(?<key>[^']+)')\s*""", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    [GeneratedRegex("""\G,\s*(?<name>[A-Za-z_][\w-]*)\s*:\s*(?<value>"[^"]*"|'[^']*'|[^\s,|'"]+)\s*""", RegexOptions.CultureInvariant)]
    private static partial Regex ArgumentPattern();
}

/// <summary>
/// <c>capture</c> as DotLiquid has it, except that in an HTML body the captured text, whose values were
/// encoded as they were captured, is kept as <see cref="SafeHtml"/> so that outputting it does not encode
/// it a second time.
/// </summary>
/// <remarks>The block is captured into the render budget's writer, so a capture cannot outgrow it either.</remarks>
internal sealed class EncodingCaptureTag : DotLiquid.Tags.Capture
{
    public override void Render(Context context, TextWriter result)
    {
        using var captured = RenderBudget.Writer(result.FormatProvider);
        RenderAll(NodeList, context, captured);
        var text = captured.ToString() ?? string.Empty;
        context.Scopes[^1][Markup.Trim()] = HtmlOutput.IsEncoding ? new SafeHtml(text) : text;
    }
}

/// <summary><c>cycle</c> writes its values straight to the output, so in an HTML body it encodes them here.</summary>
internal sealed class EncodingCycleTag : Cycle
{
    public override void Render(Context context, TextWriter result)
    {
        if (!HtmlOutput.IsEncoding)
        {
            base.Render(context, result);
            return;
        }

        using var cycled = new StringWriter(result.FormatProvider);
        base.Render(context, cycled);
        result.Write(WebUtility.HtmlEncode(cycled.ToString()));
    }
}

/// <summary>
/// Collects the keys of the <c>xnovu_render</c> tags met while parsing, wherever they sit (inside if, for,
/// case...), so the engine can fetch them before rendering. Parsing is synchronous, so a thread-static
/// list set around <c>Template.Parse</c> sees exactly that parse's tags.
/// </summary>
internal static class IncludeKeyCollector
{
    [ThreadStatic]
    private static List<string>? _keys;

    public static Scope Begin(List<string>? keys)
    {
        var previous = _keys;
        _keys = keys;
        return new Scope(previous);
    }

    public static void Record(string key)
    {
        if (_keys is { } keys && !keys.Contains(key, StringComparer.Ordinal))
        {
            keys.Add(key);
        }
    }

    public readonly struct Scope(List<string>? previous) : IDisposable
    {
        public void Dispose() => _keys = previous;
    }
}
