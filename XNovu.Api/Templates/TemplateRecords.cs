using System.Text.Json;
using System.Text.Json.Serialization;
using XNovu.Api.Workflows;
using XNovu.Core.Json;

namespace XNovu.Api.Templates;

public sealed record TemplateRequest(
    string? TemplateKey,
    string? Name,
    string? Description,
    string? ChannelType,
    string? SubjectTemplate,
    string? BodyTemplate,
    JsonElement? VariablesDescription,
    string? CategoryCode,
    bool? PayloadAtRoot = null);

public sealed record TemplateResponse(
    long Id,
    string TemplateKey,
    string Name,
    string? Description,
    string ChannelType,
    string? SubjectTemplate,
    string BodyTemplate,
    JsonElement? VariablesDescription,
    string? CategoryCode,
    string PublishStatus,
    bool Deactivated,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    bool? PayloadAtRoot,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Notes = null);

/// <summary>Either a stored template's key, or a subject and body (with their channel) to try out.</summary>
public sealed record PreviewRequest(
    string? TemplateKey,
    string? ChannelType,
    string? SubjectTemplate,
    string? BodyTemplate,
    JsonElement? Payload,
    JsonElement? Subscriber,
    bool? PayloadAtRoot = null);

/// <summary>The rendered subject (null where the channel has none), body, and the body as plain text.</summary>
public sealed record PreviewResponse(string ChannelType, string? Subject, string Body, string Text);

internal sealed record TemplateRow(
    long Id,
    string TemplateKey,
    string Name,
    string? Description,
    string ChannelType,
    string? SubjectTemplate,
    string BodyTemplate,
    string? VariablesDescription,
    string? CategoryCode,
    string PublishStatus,
    bool Deactivated,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    bool? PayloadAtRoot)
{
    public const string Columns =
        """
        t.id, t.template_key AS TemplateKey, t.name, t.description, t.channel_type::text AS ChannelType,
        t.subject_template AS SubjectTemplate, t.body_template AS BodyTemplate,
        t.variables_description::text AS VariablesDescription, c.code AS CategoryCode,
        t.publish_status::text AS PublishStatus, t.deactivated, t.created_at AS CreatedAt, t.updated_at AS UpdatedAt,
        t.payload_at_root AS PayloadAtRoot
        """;

    /// <summary>Joins <c>t</c>, which a caller's CTE may stand in for, to its category's code.</summary>
    public const string From = "LEFT JOIN notify.typ_notification_category c ON c.id = t.notification_category_id";

    /// <param name="notes">What was changed in the request on its way in (a rewritten legacy include); none: no notes.</param>
    public TemplateResponse ToResponse(IReadOnlyList<string>? notes = null) => new(
        Id, TemplateKey, Name, Description, ChannelType, SubjectTemplate, BodyTemplate, Jsonb.FromColumn(VariablesDescription),
        CategoryCode, PublishStatus, Deactivated, CreatedAt, UpdatedAt, PayloadAtRoot, notes is { Count: > 0 } ? notes : null);
}
