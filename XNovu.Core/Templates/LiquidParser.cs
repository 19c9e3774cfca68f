using DotLiquid;
using DotLiquid.Exceptions;

namespace XNovu.Core.Templates;

/// <summary>Liquid source parsed once and rendered many times, or the reason it does not parse.</summary>
internal sealed class ParsedLiquid
{
    private ParsedLiquid(Template? template, IReadOnlyList<string> includeKeys, TemplateParseResult result)
    {
        Template = template;
        IncludeKeys = includeKeys;
        Result = result;
    }

    /// <summary>Null when the source does not parse. Thread-safe: every render brings its own context.</summary>
    public Template? Template { get; }

    /// <summary>The keys its <c>xnovu_render</c> tags name, in order of appearance.</summary>
    public IReadOnlyList<string> IncludeKeys { get; }

    public TemplateParseResult Result { get; }

    public static ParsedLiquid Valid(Template template, IReadOnlyList<string> includeKeys) =>
        new(template, includeKeys, TemplateParseResult.Valid);

    public static ParsedLiquid Invalid(TemplateParseResult result) => new(null, [], result);
}

internal static class LiquidParser
{
    /// <summary>
    /// 2.2 makes an unknown filter an error instead of a silent no-op, and keeps the source as written
    /// (no shorthand rewriting), so the offsets <see cref="LiquidSourceScanner"/> finds are DotLiquid's.
    /// </summary>
    public const SyntaxCompatibility Syntax = SyntaxCompatibility.DotLiquid22a;

    private const int MaxMessageLength = 200;

    public static ParsedLiquid Parse(string source)
    {
        LiquidSetup.EnsureRegistered();
        var includeKeys = new List<string>();
        Template template;
        try
        {
            using (IncludeKeyCollector.Begin(includeKeys))
            {
                template = Template.Parse(source, Syntax);
            }
        }
        catch (LiquidException error)
        {
            return ParsedLiquid.Invalid(LiquidErrorLocator.Locate(source, error));
        }

        if (UnknownFilter(source) is { } unknown)
        {
            return ParsedLiquid.Invalid(unknown);
        }

        template.MakeThreadSafe();
        return ParsedLiquid.Valid(template, includeKeys);
    }

    /// <summary>The error parsing the source raises, or null; the prefix search of <see cref="LiquidErrorLocator"/> uses it.</summary>
    public static LiquidException? TryParse(string source)
    {
        try
        {
            using (IncludeKeyCollector.Begin(null))
            {
                Template.Parse(source, Syntax);
            }

            return null;
        }
        catch (LiquidException error)
        {
            return error;
        }
    }

    public static string Shorten(string message) =>
        message.Length <= MaxMessageLength ? message : string.Concat(message.AsSpan(0, MaxMessageLength), "…");

    // DotLiquid only notices an unknown filter when it renders; authors are better told when they save.
    // Filters in tag arguments (assign x = y | f) are still only checked at render time.
    private static TemplateParseResult? UnknownFilter(string source)
    {
        foreach (var token in LiquidSourceScanner.Scan(source))
        {
            if (token.IsTag || !token.IsTerminated)
            {
                continue;
            }

            foreach (var filter in new Variable(token.Markup).Filters)
            {
                if (!LiquidSetup.KnownFilters.Contains(filter.Name))
                {
                    var (line, column) = LiquidSourceScanner.LineAndColumn(source, token.Start);
                    return TemplateParseResult.Invalid($"Unknown filter '{filter.Name}'", line, column);
                }
            }
        }

        return null;
    }
}
