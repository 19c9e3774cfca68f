using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace XNovu.Core.Templates;

/// <summary>
/// <c>markdown_to_html</c> on Markdig (CommonMark, linear in its input). Raw HTML in the Markdown is off, so
/// it comes out as text, never as markup; a line break inside a paragraph stays a break; a link or image
/// whose URL has an unsafe scheme points at <c>#</c>.
/// </summary>
internal static class MarkdownRenderer
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseSoftlineBreakAsHardlineBreak()
        .Build();

    public static string ToHtml(string markdown)
    {
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
