using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace XNovu.Core.Templates;

/// <summary>
/// <c>markdown_to_html</c> on Markdig (CommonMark). Raw HTML in the Markdown is off, so
/// it comes out as text, never as markup; a line break inside a paragraph stays a break; a link or image
/// whose URL has an unsafe scheme points at <c>#</c>.
/// </summary>
/// <remarks>
/// Markdig is linear on ordinary Markdown, but unclosed link syntax repeated in one paragraph (<c>[a](</c> over
/// and over) makes each link attempt scan to the paragraph's end: quadratic, about 3 s for 32 KB on our
/// machines. One call therefore takes at most <see cref="MaxInput"/> characters (a Budget error past it),
/// which bounds the worst case at a fraction of a second while leaving room for any real message.
/// </remarks>
internal static class MarkdownRenderer
{
    public const int MaxInput = 16 * 1024;

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseSoftlineBreakAsHardlineBreak()
        .Build();

    public static string ToHtml(string markdown)
    {
        if (markdown.Length > MaxInput)
        {
            throw RenderBudget.TooLargeFor("markdown_to_html", MaxInput);
        }

        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (link.Url is { } url && !UrlSafety.IsSafe(url, UrlSafety.LinkSchemes))
            {
                link.Url = UrlSafety.Neutralised;
            }
        }

        foreach (var autolink in document.Descendants<AutolinkInline>())
        {
            if (!UrlSafety.IsSafe(autolink.Url, UrlSafety.LinkSchemes))
            {
                autolink.Url = UrlSafety.Neutralised;
            }
        }

        return document.ToHtml(Pipeline).TrimEnd('\n');
    }
}
