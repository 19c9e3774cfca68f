using System.Collections.Frozen;
using AngleSharp.Dom;
using Ganss.Xss;

namespace XNovu.Core.Templates;

/// <summary>
/// The allow-lists of <c>sanitize_email</c> and <c>sanitize_inapp</c>, applied by Ganss.Xss.HtmlSanitizer,
/// which parses with AngleSharp as a browser would (linear in the input, tags balanced) and re-serialises, so
/// what a browser sees is what was checked. Elements outside the list go but their text stays, except the
/// ones whose content is code or chrome (script, style, frames...), which go whole.
/// </summary>
internal static class HtmlSanitizer
{
    private static readonly FrozenSet<string> DroppedWithContent = FrozenSet.ToFrozenSet(
        ["script", "style", "iframe", "object", "embed", "applet", "noscript", "noembed", "noframes", "template", "svg", "math", "frameset", "frame", "title", "textarea", "select", "xmp", "head"],
        StringComparer.OrdinalIgnoreCase);

    private static readonly Ganss.Xss.HtmlSanitizer Email = Create(
        tags: ["a", "abbr", "address", "b", "big", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul"],
        attributes: ["href", "src", "alt", "title", "target", "rel", "name", "width", "height", "align", "valign", "bgcolor", "background", "border", "cellpadding", "cellspacing", "class", "color", "colspan", "rowspan", "dir", "face", "lang", "role", "size", "start", "style", "type", "cite"],
        schemes: UrlSafety.EmailSchemes,
        css: true);

    private static readonly Ganss.Xss.HtmlSanitizer InApp = Create(
        tags: ["a", "b", "strong", "i", "em", "u", "s", "br", "code", "span", "small", "mark", "sub", "sup"],
        attributes: ["href", "title"],
        schemes: UrlSafety.InAppSchemes,
        css: false);

    public static string ForEmail(string html)
    {
        MarkupLimits.Ensure(html);
        return Email.Sanitize(html);
    }

    public static string ForInApp(string html)
    {
        MarkupLimits.Ensure(html);
        return InApp.Sanitize(html);
    }

    private static Ganss.Xss.HtmlSanitizer Create(string[] tags, string[] attributes, IEnumerable<string> schemes, bool css)
    {
        var options = HtmlSanitizerOptions.Empty();
        options.AllowedTags = new HashSet<string>(tags, StringComparer.OrdinalIgnoreCase);
        options.AllowedAttributes = new HashSet<string>(attributes, StringComparer.OrdinalIgnoreCase);
        options.AllowedSchemes = new HashSet<string>(schemes, StringComparer.OrdinalIgnoreCase);
        options.UriAttributes = new HashSet<string>(["href", "src", "background", "cite", "action", "formaction", "longdesc", "poster"], StringComparer.OrdinalIgnoreCase);
        if (css)
        {
            options.AllowedCssProperties = new HashSet<string>(HtmlSanitizerDefaults.AllowedCssProperties, StringComparer.OrdinalIgnoreCase);
        }

        var sanitizer = new Ganss.Xss.HtmlSanitizer(options) { KeepChildNodes = true };
        sanitizer.RemovingTag += (_, removing) =>
        {
            if (DroppedWithContent.Contains(removing.Tag.LocalName))
            {
                // KeepChildNodes would otherwise leave a script's code or a style sheet behind as text.
                foreach (var child in removing.Tag.ChildNodes.ToArray())
                {
                    child.RemoveFromParent();
                }
            }
        };

        return sanitizer;
    }
}
