using System.Collections.Frozen;
using System.Text;
using AngleSharp.Dom;
using AngleSharp;
using AngleSharp.Html;
using AngleSharp.Html.Parser;

namespace XNovu.Core.Templates;

/// <summary>
/// Safe by default: every URL attribute of a rendered email or in-app body is judged by <see cref="UrlSafety"/>,
/// whatever filters the template used. HTML-encoding a payload value keeps it from opening a tag, but not from
/// being a <c>javascript:</c> link inside <c>href="{{ payload.url }}"</c>; so after rendering, the body is parsed
/// as a browser would (AngleSharp: entities such as <c>&amp;#106;avascript:</c> decoded, tabs and newlines kept
/// for <see cref="UrlSafety"/> to drop) and an attribute whose URL is not of the channel's schemes is removed
/// (in <c>srcset</c> and the other lists, the offending entries). <c>data:</c> is refused too, images included.
/// </summary>
/// <remarks>
/// This judges URLs only, not the template's own markup: the author's tags, styles and comments reach the channel
/// as written (a template is not a hostile input; a payload is, and it is encoded everywhere else). That is why
/// this walks the DOM itself rather than running Ganss.Xss.HtmlSanitizer, whose allow-lists would drop every tag
/// and attribute not listed. A body with nothing to remove is returned exactly as rendered.
/// </remarks>
internal static class UrlAttributes
{
    /// <summary>Attributes a browser or a mail client follows, fetches or submits to as one URL.</summary>
    private static readonly FrozenSet<string> SingleUrl = FrozenSet.ToFrozenSet(
        ["href", "src", "action", "formaction", "background", "poster", "cite", "longdesc", "lowsrc", "dynsrc", "data",
            "codebase", "classid", "manifest", "icon", "profile", "usemap", "xlink:href", "xml:base"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Attributes holding a list of URLs, each judged on its own.</summary>
    private static readonly FrozenSet<string> UrlLists = FrozenSet.ToFrozenSet(["srcset", "imagesrcset", "ping", "archive"], StringComparer.OrdinalIgnoreCase);

    private static readonly HtmlParser Parser = new();

    public static string Secure(string html, NotificationChannel channel)
    {
        if (!html.Contains('<', StringComparison.Ordinal))
        {
            return html;
        }

        MarkupLimits.Ensure(html);
        var schemes = channel == NotificationChannel.Email ? UrlSafety.EmailSchemes : UrlSafety.InAppSchemes;
        if (IsDocument(html))
        {
            var document = Parser.ParseDocument(html);
            return Secure(document.All, schemes) ? document.ToHtml(HtmlMarkupFormatter.Instance) : html;
        }

        var context = Parser.ParseDocument(string.Empty).Body!;
        var nodes = Parser.ParseFragment(html, context);
        var elements = nodes.SelectMany(n => n is IElement e ? e.DescendantsAndSelf<IElement>() : []);
        if (!Secure(elements, schemes))
        {
            return html;
        }

        var output = new StringBuilder(html.Length);
        foreach (var node in nodes)
        {
            output.Append(node.ToHtml(HtmlMarkupFormatter.Instance));
        }

        return output.ToString();
    }

    /// <summary>Removes every unsafe URL; whether any was.</summary>
    private static bool Secure(IEnumerable<IElement> elements, IReadOnlyList<string> schemes)
    {
        var changed = false;
        foreach (var element in elements.ToList())
        {
            foreach (var attribute in element.Attributes.ToList())
            {
                if (string.Equals(attribute.Name, "srcdoc", StringComparison.OrdinalIgnoreCase))
                {
                    // A document in an attribute: its decoded value is markup, beyond any URL rule.
                    element.RemoveAttribute(attribute.NamespaceUri, attribute.LocalName);
                    changed = true;
                }
                else if (SingleUrl.Contains(attribute.Name))
                {
                    if (!UrlSafety.IsSafe(attribute.Value, schemes))
                    {
                        element.RemoveAttribute(attribute.NamespaceUri, attribute.LocalName);
                        changed = true;
                    }
                }
                else if (UrlLists.Contains(attribute.Name))
                {
                    var entries = attribute.Value.Split(ListSeparator(attribute.Name), StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    var safe = entries.Where(entry => UrlSafety.IsSafe(entry, schemes)).ToArray();
                    if (safe.Length == entries.Length)
                    {
                        continue;
                    }

                    changed = true;
                    if (safe.Length == 0)
                    {
                        element.RemoveAttribute(attribute.NamespaceUri, attribute.LocalName);
                    }
                    else
                    {
                        attribute.Value = string.Join(ListSeparator(attribute.Name) == ',' ? ", " : " ", safe);
                    }
                }
            }
        }

        return changed;
    }

    /// <summary>A srcset's candidates are comma-separated ("url 2x, url 640w"); the others' URLs space-separated.</summary>
    private static char ListSeparator(string attribute) =>
        attribute.EndsWith("srcset", StringComparison.OrdinalIgnoreCase) ? ',' : ' ';

    private static bool IsDocument(string html) =>
        html.Contains("<html", StringComparison.OrdinalIgnoreCase) || html.Contains("<!doctype", StringComparison.OrdinalIgnoreCase);
}
