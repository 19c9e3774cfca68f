namespace XNovu.Core.Templates;

public enum TemplateErrorKind
{
    /// <summary>The Liquid of the template (or of a template it includes) does not parse.</summary>
    Syntax,

    /// <summary><c>xnovu_render</c> names a key the enterprise has no template for.</summary>
    MissingInclude,

    /// <summary>A template includes itself, directly or through others.</summary>
    IncludeCycle,

    /// <summary>Includes nest deeper than <see cref="TemplateEngineOptions.MaxIncludeDepth"/>.</summary>
    IncludeDepth,

    /// <summary>Rendering failed: a filter refused its input, a loop ran too long, and so on.</summary>
    Runtime,

    /// <summary>Rendering went over its budget: it took too long, or built a value or an output too long.</summary>
    Budget,
}

/// <summary>
/// A template could not be rendered. The message is meant for the template's author (it may be returned in
/// a problem details response): it names templates and Liquid positions, never code or stack frames.
/// </summary>
public sealed class TemplateRenderException : Exception
{
    public TemplateRenderException(TemplateErrorKind kind, string message, string? templateKey = null, int? line = null, int? column = null)
        : base(message)
    {
        Kind = kind;
        TemplateKey = templateKey;
        Line = line;
        Column = column;
    }

    public TemplateRenderException()
        : this(TemplateErrorKind.Runtime, "The template could not be rendered.")
    {
    }

    public TemplateRenderException(string message)
        : this(TemplateErrorKind.Runtime, message)
    {
    }

    public TemplateRenderException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = TemplateErrorKind.Runtime;
    }

    public TemplateErrorKind Kind { get; }

    /// <summary>The key of the included template at fault, when it is one.</summary>
    public string? TemplateKey { get; }

    public int? Line { get; }

    public int? Column { get; }
}
