using System.Text.Json.Nodes;

namespace XNovu.Console.Api;

// Issue 30's shapes as the console reads them: template versions, email layouts and their versions.

/// <summary>One published version of a template: immutable, with its author and time; <c>Live</c> is the one being sent.</summary>
public sealed record TemplateVersionItem(
    int Version,
    string ChannelType,
    string? SubjectTemplate,
    string BodyTemplate,
    JsonNode? Locales,
    bool? PayloadAtRoot,
    string? Note,
    DateTime CreatedAt,
    string? CreatedBy,
    bool Live,
    string? LayoutKey = null);

/// <summary>An email layout's draft, with the version being sent (null until published).</summary>
public sealed record LayoutItem(
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

public sealed record LayoutInput(
    string LayoutKey,
    string Name,
    string HeaderHtml,
    string FooterHtml,
    string? LogoUrl,
    string? PrimaryColor,
    string? BackgroundColor,
    string? SenderName);

public sealed record LayoutVersionItem(
    int Version,
    string HeaderHtml,
    string FooterHtml,
    string? LogoUrl,
    string? PrimaryColor,
    string? BackgroundColor,
    string? SenderName,
    string? Note,
    DateTime CreatedAt,
    string? CreatedBy);

/// <summary>A sample body around the layout; with <c>Draft</c>, the editor's unsaved fields instead of the stored draft.</summary>
public sealed record LayoutPreviewInput(string? BodyTemplate, JsonNode? Payload, LayoutInput? Draft);
