using DotLiquid;

namespace XNovu.Core.Templates;

/// <summary>
/// One render's include state, handed to <see cref="XNovuRenderTag"/> through the DotLiquid context's
/// registers: the templates fetched beforehand and the chain of includes being rendered. A context renders
/// on one thread at a time, so the chain needs no lock.
/// </summary>
internal sealed class RenderSession(IReadOnlyDictionary<string, CachedTemplate?> includes, int maxDepth, string? rootKey)
{
    public const string RegisterName = "xnovu_render_session";

    private readonly List<string> _chain = rootKey is null ? [] : [rootKey];
    private int _depth;

    public void RenderInclude(string templateKey, Hash arguments, Context context, TextWriter result)
    {
        if (_chain.Contains(templateKey, StringComparer.Ordinal))
        {
            throw new TemplateRenderException(
                TemplateErrorKind.IncludeCycle,
                $"Include cycle: {Chain(templateKey)}.",
                templateKey);
        }

        if (_depth >= maxDepth)
        {
            throw new TemplateRenderException(
                TemplateErrorKind.IncludeDepth,
                $"Includes nest deeper than {maxDepth} levels: {Chain(templateKey)}.",
                templateKey);
        }

        if (!includes.TryGetValue(templateKey, out var included) || included is null)
        {
            var from = _chain.Count > 0 ? $" (included from '{_chain[^1]}')" : string.Empty;
            throw new TemplateRenderException(
                TemplateErrorKind.MissingInclude,
                $"Template '{templateKey}'{from} does not exist for this enterprise.",
                templateKey);
        }

        if (included.Body.Template is not { } template)
        {
            var error = included.Body.Result;
            throw new TemplateRenderException(
                TemplateErrorKind.Syntax,
                $"Template '{templateKey}' does not parse: {error.Describe()}.",
                templateKey,
                error.Line,
                error.Column);
        }

        _chain.Add(templateKey);
        _depth++;
        try
        {
            context.Stack(arguments, () => template.Root.Render(context, result));
        }
        finally
        {
            _depth--;
            _chain.RemoveAt(_chain.Count - 1);
        }
    }

    private string Chain(string next) => string.Join(" → ", _chain.Append(next));
}
