namespace XNovu.Core.Templates;

/// <summary>
/// Whether Liquid source parses; when it does not, the error and where it is (1-based line and column,
/// null when the position could not be found).
/// </summary>
public sealed record TemplateParseResult(bool IsValid, string? Error, int? Line, int? Column)
{
    public static TemplateParseResult Valid { get; } = new(true, null, null, null);

    public static TemplateParseResult Invalid(string error, int? line, int? column) => new(false, error, line, column);

    /// <summary>"Unknown tag 'foo' (line 2, column 7)", for problem details and logs.</summary>
    public string Describe() =>
        IsValid ? "valid"
        : Line is { } line && Column is { } column ? $"{Error} (line {line}, column {column})"
        : Error ?? "invalid";
}
