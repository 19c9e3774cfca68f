namespace XNovu.Api.Layouts;

/// <summary>An email layout: a header and footer (Liquid) around an email template's body, and its branding.</summary>
public sealed record LayoutRequest(
    string? LayoutKey,
    string? Name,
    string? HeaderHtml,
    string? FooterHtml,
    string? LogoUrl,
    string? PrimaryColor,
    string? BackgroundColor,
    string? SenderName);

/// <param name="LiveVersion">The version templates are rendered in; null until the layout is published.</param>
public sealed record LayoutResponse(
    string LayoutKey,
    string Name,
    string HeaderHtml,
    string FooterHtml,
    string? LogoUrl,
    string? PrimaryColor,
    string? BackgroundColor,
    string? SenderName,
    int? LiveVersion,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    string? CreatedBy,
    string? UpdatedBy);

public sealed record LayoutVersionResponse(
    int Version, string HeaderHtml, string FooterHtml, string? LogoUrl, string? PrimaryColor, string? BackgroundColor, string? SenderName,
    string? Note, DateTime CreatedAt, string? CreatedBy);

/// <summary>
/// A sample email body (Liquid) and payload to see the layout's draft around; with <c>draft</c>, around those fields
/// instead of the stored draft (the editor's unsaved header, footer and branding, checked as a write is; its key and
/// name are not used).
/// </summary>
public sealed record LayoutPreviewRequest(string? BodyTemplate, System.Text.Json.JsonElement? Payload, LayoutRequest? Draft = null);

internal sealed record LayoutRow(
    string LayoutKey, string Name, string HeaderHtml, string FooterHtml, string? LogoUrl, string? PrimaryColor, string? BackgroundColor,
    string? SenderName, int? LiveVersion, DateTime CreatedAt, DateTime UpdatedAt, string? CreatedBy, string? UpdatedBy)
{
    public const string Columns =
        """
        layout_key AS LayoutKey, name, header_html AS HeaderHtml, footer_html AS FooterHtml, logo_url AS LogoUrl,
        primary_color AS PrimaryColor, background_color AS BackgroundColor, sender_name AS SenderName, live_version AS LiveVersion,
        created_at AS CreatedAt, updated_at AS UpdatedAt, created_by AS CreatedBy, updated_by AS UpdatedBy
        """;

    public LayoutResponse ToResponse() => new(
        LayoutKey, Name, HeaderHtml, FooterHtml, LogoUrl, PrimaryColor, BackgroundColor, SenderName, LiveVersion, CreatedAt, UpdatedAt, CreatedBy, UpdatedBy);
}
