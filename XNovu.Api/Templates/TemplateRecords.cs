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
    bool? PayloadAtRoot = null,
    JsonElement? Locales = null,
    string? LayoutKey = null);

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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Notes = null)
{
    /// <summary>Per-locale variants of the draft: <c>{"fr": {"subject": ..., "body": ...}}</c> (issue 30).</summary>
    public JsonElement? Locales { get; init; }

    /// <summary>The version being sent; null until the template is published (or when it was last published before versions existed).</summary>
    public int? LiveVersion { get; init; }

    /// <summary>Who created and who last changed the template: <c>api-key:&lt;id&gt;</c> or <c>admin</c>.</summary>
    public string? CreatedBy { get; init; }

    public string? UpdatedBy { get; init; }

    /// <summary>The email layout the template is rendered inside (issue 30); null: none.</summary>
    public string? LayoutKey { get; init; }
}

/// <summary>
/// Either a stored template's key, or a subject and body (with their channel) to try out. <c>digestEvents</c>: sample
/// payloads rendered as a digest of them (<c>digest.events</c>, <c>digest.eventCount</c>).
/// </summary>
public sealed record PreviewRequest(
    string? TemplateKey,
    string? ChannelType,
    string? SubjectTemplate,
    string? BodyTemplate,
    JsonElement? Payload,
    JsonElement? Subscriber,
    bool? PayloadAtRoot = null,
    string? Locale = null,
    JsonElement? DigestEvents = null);

/// <summary>The rendered subject (null where the channel has none), body, and the body as plain text.</summary>
public sealed record PreviewResponse(string ChannelType, string? Subject, string Body, string Text)
{
    /// <summary>The locale the preview is rendered in (issue 30); null when none applies.</summary>
    public string? Locale { get; init; }

    /// <summary>
    /// The translation keys the previewed text passes to <c>t</c> that no catalog along the locale's chain has (issue 30):
    /// what a send would print raw, and what a publish refuses. Empty when none.
    /// </summary>
    public IReadOnlyList<string> MissingKeys { get; init; } = [];
}

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
    bool? PayloadAtRoot,
    string? Locales,
    int? LiveVersion,
    string? CreatedBy,
    string? UpdatedBy,
    string? LayoutKey)
{
    public const string Columns =
        """
        t.id, t.template_key AS TemplateKey, t.name, t.description, t.channel_type::text AS ChannelType,
        t.subject_template AS SubjectTemplate, t.body_template AS BodyTemplate,
        t.variables_description::text AS VariablesDescription, c.code AS CategoryCode,
        t.publish_status::text AS PublishStatus, t.deactivated, t.created_at AS CreatedAt, t.updated_at AS UpdatedAt,
        t.payload_at_root AS PayloadAtRoot, t.locales::text AS Locales, t.live_version AS LiveVersion,
        t.created_by AS CreatedBy, t.updated_by AS UpdatedBy, t.layout_key AS LayoutKey
        """;

    /// <summary>Joins <c>t</c>, which a caller's CTE may stand in for, to its category's code.</summary>
    public const string From = "LEFT JOIN notify.typ_notification_category c ON c.id = t.notification_category_id";

    /// <param name="notes">What was changed in the request on its way in (a rewritten legacy include); none: no notes.</param>
    public TemplateResponse ToResponse(IReadOnlyList<string>? notes = null) => new(
        Id, TemplateKey, Name, Description, ChannelType, SubjectTemplate, BodyTemplate, Jsonb.FromColumn(VariablesDescription),
        CategoryCode, PublishStatus, Deactivated, CreatedAt, UpdatedAt, PayloadAtRoot, notes is { Count: > 0 } ? notes : null)
    {
        Locales = Jsonb.FromColumn(Locales),
        LiveVersion = LiveVersion,
        CreatedBy = CreatedBy,
        UpdatedBy = UpdatedBy,
        LayoutKey = LayoutKey,
    };
}
