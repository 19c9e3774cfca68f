using System.Text.Json;

namespace XNovu.Api.Versions;

/// <summary>One published version of a template: immutable, with its author and time.</summary>
/// <param name="Live">Whether this is the version being sent.</param>
/// <param name="Note">Why it exists when it is not a plain publish (<c>rollback to 2</c>).</param>
public sealed record TemplateVersionResponse(
    int Version,
    string ChannelType,
    string? SubjectTemplate,
    string BodyTemplate,
    JsonElement? Locales,
    bool? PayloadAtRoot,
    string? Note,
    DateTime CreatedAt,
    string? CreatedBy,
    bool Live,
    string? LayoutKey = null);

/// <summary>One published version of a workflow: its definition as published.</summary>
public sealed record WorkflowVersionResponse(int Version, JsonElement Definition, string? Note, DateTime CreatedAt, string? CreatedBy);

/// <summary>What changed from one version to another, field by field; a field that did not change is not listed.</summary>
public sealed record VersionDiffResponse(int From, int To, IReadOnlyList<FieldDiff> Fields);

/// <summary>A field's lines, each <c>same</c>, <c>removed</c> (only in <c>from</c>) or <c>added</c> (only in <c>to</c>).</summary>
public sealed record FieldDiff(string Field, IReadOnlyList<DiffLine> Lines);

public sealed record DiffLine(string Kind, string Text);

internal sealed record TemplateVersionRow(
    int Version, string ChannelType, string? SubjectTemplate, string BodyTemplate, string? Locales, bool? PayloadAtRoot,
    string? Note, DateTime CreatedAt, string? CreatedBy, bool Live, string? LayoutKey)
{
    public const string Columns =
        """
        v.version, v.channel_type::text AS ChannelType, v.subject_template AS SubjectTemplate, v.body_template AS BodyTemplate,
        v.locales::text AS Locales, v.payload_at_root AS PayloadAtRoot, v.note, v.created_at AS CreatedAt, v.created_by AS CreatedBy,
        (t.live_version IS NOT DISTINCT FROM v.version) AS Live, v.layout_key AS LayoutKey
        """;

    public TemplateVersionResponse ToResponse() => new(
        Version, ChannelType, SubjectTemplate, BodyTemplate, Core.Json.Jsonb.FromColumn(Locales), PayloadAtRoot, Note, CreatedAt, CreatedBy, Live, LayoutKey);

    /// <summary>The fields a diff compares, as text.</summary>
    public IEnumerable<(string Field, string Text)> Fields()
    {
        yield return ("channelType", ChannelType);
        yield return ("subjectTemplate", SubjectTemplate ?? string.Empty);
        yield return ("bodyTemplate", BodyTemplate);
        yield return ("locales", TextDiff.Pretty(Locales));
        yield return ("payloadAtRoot", PayloadAtRoot?.ToString() ?? string.Empty);
        yield return ("layoutKey", LayoutKey ?? string.Empty);
    }
}

internal sealed record WorkflowVersionRow(int Version, string Definition, string? Note, DateTime CreatedAt, string? CreatedBy)
{
    public WorkflowVersionResponse ToResponse() => new(Version, JsonElement.Parse(Definition), Note, CreatedAt, CreatedBy);

    /// <summary>Each top-level field of the definition, as indented JSON.</summary>
    public IEnumerable<(string Field, string Text)> Fields()
    {
        using var document = JsonDocument.Parse(Definition);
        return document.RootElement.EnumerateObject().Select(p => (p.Name, TextDiff.Pretty(p.Value.GetRawText()))).ToList();
    }
}
