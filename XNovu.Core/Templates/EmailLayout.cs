using System.Net;
using System.Text.RegularExpressions;

namespace XNovu.Core.Templates;

/// <summary>
/// An enterprise's email layout as a render needs it (issue 30): the live version of its header and footer (Liquid,
/// checked like a template's when written) and its branding. <see cref="Apply"/> renders an email template inside it
/// by joining the layout and the body into one Liquid text, so the whole email is rendered once, under the same
/// budget, timeout, encoding and URL rules as any template: a hostile header is bounded as a hostile body is.
/// The branding values are written into that text, so <see cref="IsSafeColor"/> and <see cref="IsSafeLogoUrl"/>
/// are the rules a layout's fields must pass when written, and the sender name is HTML-encoded.
/// </summary>
public sealed partial record EmailLayout(
    string LayoutKey,
    int Version,
    string Header,
    string Footer,
    string? LogoUrl,
    string? PrimaryColor,
    string? BackgroundColor,
    string? SenderName)
{
    public const string DefaultPrimaryColor = "#1f2937";
    public const string DefaultBackgroundColor = "#f3f4f6";

    /// <summary>The template with its body inside its layout when it is an email template that names one; else as it is.</summary>
    public static TemplateDefinition Apply(TemplateDefinition template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return template is { Channel: NotificationChannel.Email, Layout: { } layout }
            ? template with { BodyTemplate = layout.Wrap(template.BodyTemplate) }
            : template;
    }

    public string Wrap(string body)
    {
        var background = IsSafeColor(BackgroundColor) ? BackgroundColor : DefaultBackgroundColor;
        var primary = IsSafeColor(PrimaryColor) ? PrimaryColor : DefaultPrimaryColor;
        var logo = IsSafeLogoUrl(LogoUrl)
            ? $"""<img src="{LogoUrl}" alt="{WebUtility.HtmlEncode(LiquidFree(SenderName ?? string.Empty))}" style="max-height:48px">"""
            : string.Empty;
        return $"""
            <div style="background-color:{background};padding:16px"><div style="max-width:600px;margin:0 auto;background-color:#ffffff">
            <div style="border-top:4px solid {primary};padding:16px">{logo}{Header}</div>
            <div style="padding:16px">{body}</div>
            <div style="padding:16px;color:{primary}">{Footer}</div>
            </div></div>
            """;
    }

    /// <summary><c>#rgb</c>, <c>#rrggbb</c> or with alpha; nothing else reaches a style attribute.</summary>
    public static bool IsSafeColor(string? color) => color is not null && Color().IsMatch(color);

    /// <summary>An absolute http(s) URL with no quote, angle bracket, brace, percent-brace or space: it cannot leave its attribute nor open Liquid.</summary>
    public static bool IsSafeLogoUrl(string? url) =>
        url is { Length: <= 2000 }
        && Uri.TryCreate(url, UriKind.Absolute, out var parsed)
        && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp)
        && url.IndexOfAny(['"', '\'', '<', '>', '{', '}', ' ', '\\', '`']) < 0;

    private static string LiquidFree(string text) => text.Replace("{", string.Empty, StringComparison.Ordinal).Replace("}", string.Empty, StringComparison.Ordinal).Replace("%", string.Empty, StringComparison.Ordinal);

    [GeneratedRegex("^#([0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Color();
}
