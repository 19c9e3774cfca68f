// The cheap upper bound on a Novu event's size, so a trigger is rendered at accept only when its event could
// be too large. The bound is in bytes of the JSON the Novu client sends (UTF-8, its default escaping):
//
//   envelope (4 KB: workflow identifier, tenant with a name of at most 200 characters, the keys)
//   + 6 x (transaction id + overrides + the largest recipient as the trigger names it)
//   + 6 x payload, when the workflow passes payload fields on
//   + 6 x (U + 128), when unsubscribe links are on and the workflow emails (the List-Unsubscribe headers)
//   + for each channel: 6 x T + 16 x K x (P + R + E + T)
//
// where T is the UTF-8 size of the channel's subject and body templates, K the number of outputs ({{ ... }}) in
// them, P the payload, R the largest recipient, E the longest enterprise name (600 bytes), U the longest unsubscribe
// link (0 when links are off; an output may show it too, so it counts among the values). Why it holds:
// - JSON escaping turns one character into at most 6 bytes (\u0026), and every character is at least one byte
//   where it came from, so copied text grows at most 6 times.
// - An output shows one value: a payload, subscriber or enterprise value, or a literal of the template, so at
//   most P + R + E + T characters. HTML-encoding (email and in-app bodies) and one escaping filter make a
//   character at most 10 (`"` becomes `&amp;quot;`), which JSON escaping brings to 15 bytes: 16 per byte bounds it.
// - This only holds when nothing repeats or builds text, so the bound is given only for "linear" templates: no
//   tags but if/elsif/else/unless/case/when/comment/raw, every filter one that does not lengthen its input
//   beyond a literal or the one allowed escaping (TemplateGrowth.SafeFilters), no includes. Any other template
//   (a loop, assign, capture, an include, replace, join...) has no bound and every trigger of it is rendered.
// - Stored subscriber profiles are not in R: reading them would cost a query per trigger. A profile the
//   directory holds is at most 64 KB of data; one that still overflows the event is caught by the dispatcher.
// A template with locale variants is bounded by its largest text, and an email's layout (header, footer, markup)
// counts as source text of every text, as EmailLayout.Apply joins them before rendering (issue 30).
// A 1 KB payload through default-email (2 outputs, 65 bytes of Liquid) bounds at about 59 KB and is not rendered;
// the bound reaches 512 KB from a payload of about 15 KB, and those triggers are rendered and measured exactly.
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using XNovu.Core.Definitions;
using XNovu.Core.Templates;

namespace XNovu.Core.Novu;

/// <summary>The sizes of one trigger that its Novu event grows with, in UTF-8 bytes.</summary>
/// <param name="UnsubscribeUrlBytes">The most bytes of the recipient's unsubscribe link (0 when links are off): a
/// template may show it (<c>{{ unsubscribe_url }}</c>), and an email carries it again in its List-Unsubscribe header.</param>
public readonly record struct EventInputs(
    long PayloadBytes, long LargestRecipientBytes, long TransactionIdBytes, long OverridesBytes, long UnsubscribeUrlBytes = 0);

/// <summary>An upper bound on a Novu event's size from sizes alone, without rendering (see the file's header).</summary>
public static class NovuEventBound
{
    public const long EnvelopeBytes = 4 * 1024;

    /// <summary>The most bytes JSON escaping makes of one character.</summary>
    public const long EscapeFactor = 6;

    /// <summary>The most bytes one byte of a value becomes in an output: HTML-encoding, one escaping filter, JSON escaping.</summary>
    public const long OutputFactor = 16;

    /// <summary>The longest enterprise name (200 characters) in UTF-8.</summary>
    public const long EnterpriseNameBytes = 200 * 3;

    /// <summary>The bound, or null when a template of the workflow has none (it may repeat or build text).</summary>
    public static long? Of(ResolvedWorkflow workflow, EventInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var values = inputs.PayloadBytes + inputs.LargestRecipientBytes + EnterpriseNameBytes + inputs.UnsubscribeUrlBytes;
        var bound = EnvelopeBytes
            + EscapeFactor * (inputs.TransactionIdBytes + inputs.OverridesBytes + inputs.LargestRecipientBytes)
            + (workflow.NovuPayload.Count > 0 ? EscapeFactor * inputs.PayloadBytes : 0);
        if (inputs.UnsubscribeUrlBytes > 0 && workflow.Channels.Any(c => c.Channel == NotificationChannel.Email))
        {
            // The email's overrides gain List-Unsubscribe (the link) and List-Unsubscribe-Post (NovuEvents.WithUnsubscribeHeaders).
            bound += EscapeFactor * (inputs.UnsubscribeUrlBytes + UnsubscribeHeaderBytes);
        }

        foreach (var channel in workflow.Channels)
        {
            if (channel.Template is not { } template)
            {
                continue;
            }

            // A recipient gets one of the template's texts (its own or a locale variant, issue 30), an email inside its
            // layout: the channel is bounded by the largest.
            var layout = Layout(template);
            if (!layout.Linear)
            {
                return null;
            }

            long largest = 0;
            foreach (var (subjectText, bodyText) in Texts(template))
            {
                var subject = subjectText is null ? TemplateGrowth.None : TemplateGrowth.Of(subjectText);
                var body = TemplateGrowth.Of(bodyText);
                if (!subject.Linear || !body.Linear)
                {
                    return null;
                }

                var sourceBytes = subject.SourceBytes + body.SourceBytes + layout.SourceBytes;
                largest = Math.Max(largest, EscapeFactor * sourceBytes + OutputFactor * (subject.Outputs + body.Outputs + layout.Outputs) * (values + sourceBytes));
            }

            bound += largest;
        }

        return bound;
    }

    /// <summary>The template's own subject and body, then each locale variant's (a variant without a subject keeps the template's).</summary>
    private static IEnumerable<(string? Subject, string Body)> Texts(TemplateDefinition template)
    {
        yield return (template.SubjectTemplate, template.BodyTemplate);
        foreach (var variant in template.Locales.Values)
        {
            yield return (variant.Subject ?? template.SubjectTemplate, variant.Body);
        }
    }

    /// <summary>
    /// What an email's layout adds around any body: its header and footer (Liquid, cached by text) and the fixed markup
    /// and branding of <see cref="EmailLayout.Wrap"/>, counted as source text; none for another channel or no layout.
    /// </summary>
    private static TemplateGrowth Layout(TemplateDefinition template)
    {
        if (template is not { Channel: NotificationChannel.Email, Layout: { } layout })
        {
            return TemplateGrowth.None;
        }

        var header = TemplateGrowth.Of(layout.Header);
        var footer = TemplateGrowth.Of(layout.Footer);
        // The sender name is HTML-encoded in the logo's alt text (at most 6 bytes a byte) and sent again in overrides.
        var branding = LayoutMarkupBytes + (7 * Encoding.UTF8.GetByteCount(layout.SenderName ?? string.Empty)) + (layout.LogoUrl?.Length ?? 0) + 64;
        return new TemplateGrowth(header.Linear && footer.Linear, header.SourceBytes + footer.SourceBytes + branding, header.Outputs + footer.Outputs);
    }

    /// <summary>The names and fixed value of the unsubscribe headers, and the JSON around them, without the link.</summary>
    public const long UnsubscribeHeaderBytes = 128;

    /// <summary>The markup <see cref="EmailLayout.Wrap"/> puts around a body, without the branding values: well under 1 KB.</summary>
    private const long LayoutMarkupBytes = 1024;
}

/// <summary>
/// How a template's output can grow: linear (bounded by its source and its outputs' values) or not, with its
/// source's UTF-8 size and its number of outputs. Worked out once per template text.
/// </summary>
public sealed partial record TemplateGrowth(bool Linear, long SourceBytes, int Outputs)
{
    public static readonly TemplateGrowth None = new(true, 0, 0);

    /// <summary>Tags that choose what to show but never repeat or build it.</summary>
    private static readonly HashSet<string> SafeTags = new(StringComparer.Ordinal)
    {
        "if", "elsif", "else", "endif", "unless", "endunless", "case", "when", "endcase", "comment", "endcomment", "raw", "endraw",
    };

    /// <summary>
    /// Filters whose result is no longer than their input, a literal or value they are given, or a number or date
    /// (whose format is a literal: strftime makes at most 12 characters of 2), plus the escaping ones, of which an
    /// output may use one.
    /// </summary>
    private static readonly HashSet<string> SafeFilters = new(StringComparer.Ordinal)
    {
        "default", "upcase", "downcase", "capitalize", "strip", "lstrip", "rstrip", "strip_newlines", "strip_html", "html_to_text",
        "truncate", "truncatewords", "size", "first", "last", "plus", "minus", "times", "divided_by", "modulo", "round", "ceil",
        "floor", "abs", "at_least", "at_most", "slice", "remove", "remove_first", "date", "local_date", "url", "extract_subject",
        "sanitize_sms", "html_safe",
    };

    private static readonly HashSet<string> EscapingFilters = new(StringComparer.Ordinal) { "escape", "h", "escape_once", "url_encode", "url_escape" };

    private static readonly ConditionalWeakTable<string, TemplateGrowth> Known = [];

    public static TemplateGrowth Of(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Known.GetValue(source, Measure);
    }

    private static TemplateGrowth Measure(string source)
    {
        var outputs = 0;
        var linear = true;
        foreach (var token in LiquidSourceScanner.Scan(source))
        {
            if (token.IsTag)
            {
                linear &= SafeTags.Contains(token.Name);
                continue;
            }

            outputs++;
            var escaping = 0;
            foreach (Match filter in FilterName().Matches(QuotedText().Replace(token.Markup, "\"\"")))
            {
                var name = filter.Groups[1].Value;
                if (EscapingFilters.Contains(name))
                {
                    escaping++;
                }
                else if (!SafeFilters.Contains(name))
                {
                    linear = false;
                }
            }

            linear &= escaping <= 1;
        }

        return new TemplateGrowth(linear, Encoding.UTF8.GetByteCount(source), outputs);
    }

    [GeneratedRegex("\"[^\"]*\"|'[^']*'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedText();

    [GeneratedRegex(@"\|\s*(\w+)", RegexOptions.CultureInvariant)]
    private static partial Regex FilterName();
}
