using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Core.Definitions;
using XNovu.Core.Localization;
using XNovu.Core.Novu;
using XNovu.Core.Preferences;
using XNovu.Core.Templates;
using XNovu.NovuClient;

namespace XNovu.Api.Triggers;

/// <summary>
/// Refuses at accept, with 413 <c>novu-event-too-large</c> naming the channel, a trigger whose Novu event cannot fit
/// Novu's 512 KB limit: such a trigger could only fail later. Most triggers cost a cached workflow lookup and the
/// sum of <see cref="NovuEventBound"/>; only when that bound cannot rule an overflow out is the event built as the
/// dispatcher builds it (<see cref="NovuEvents"/>: the same templates, the recipients' stored profiles, the
/// enterprise's name) for each recipient, and measured. A topic is measured as one recipient without a profile:
/// its members' own fields are the dispatcher's to check, as are notifications that do not come through these
/// routes (EVENT, CRON and SCHEDULE rules, rows written by SQL). Each recipient is measured with what the dispatcher
/// would render for it (issue 30): the locale variant its locale reaches, with that locale's translations, an email
/// inside its layout, the layout's sender name in the overrides. A hostile variant is refused as a hostile default is.
/// When unsubscribe links are on (issue 29), each channel is rendered with the recipient's link, and the email's
/// overrides carry its List-Unsubscribe headers, as the dispatcher sends them.
/// </summary>
internal sealed class EventFitCheck(
    WorkflowDefinitionCache workflows, ITemplateEngine templates, EventContextStore context, EnterpriseNames enterprises, LocalizationCache localizations,
    UnsubscribeLinks unsubscribe)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The refusal, or null when the event fits (or the workflow's own checks will answer first).</summary>
    public async Task<ProblemHttpResult?> CheckAsync(Guid enterpriseId, PreparedTrigger trigger, CancellationToken cancellationToken)
    {
        var workflow = await workflows.GetAsync(enterpriseId, trigger.WorkflowKey, cancellationToken);
        if (workflow is not { CanSend: true })
        {
            return null;
        }

        var largestRecipient = LargestRecipientBytes(trigger.RecipientsJson);
        var inputs = new EventInputs(
            JsonMarshal.GetRawUtf8Value(trigger.Payload).Length,
            largestRecipient,
            // Novu gets the enterprise's transaction id (NovuNames.TransactionId), whatever the caller's: never longer.
            NovuNames.MaxTransactionIdLength,
            trigger.OverridesJson is null ? 0 : Encoding.UTF8.GetByteCount(trigger.OverridesJson),
            // A topic's members have ids of their own, of at most 255 characters (3 bytes each at most).
            unsubscribe.MaxUrlBytes(
                Math.Max(largestRecipient, trigger.RecipientsJson.Contains("topicKey", StringComparison.Ordinal) ? 255 * 3 : 0),
                Encoding.UTF8.GetByteCount(trigger.WorkflowKey)));
        if (NovuEventBound.Of(workflow, inputs) is { } bound && bound <= NovuLimits.MaxEventBytes)
        {
            return null;
        }

        return await MeasureAsync(enterpriseId, trigger, workflow, Recipients(trigger.RecipientsJson), cancellationToken);
    }

    private async Task<ProblemHttpResult?> MeasureAsync(
        Guid enterpriseId, PreparedTrigger trigger, ResolvedWorkflow workflow, IReadOnlyList<Recipient> recipients, CancellationToken cancellationToken)
    {
        var enterpriseName = await enterprises.GetAsync(enterpriseId, cancellationToken);
        var stored = await context.ProfilesAsync(
            enterpriseId, recipients.Where(r => !r.IsTopic).Select(r => r.Subscriber.SubscriberId).ToList(), cancellationToken);
        var subscribers = recipients.Select(r => r.IsTopic
            ? r.Subscriber
            : NovuEvents.MergeSubscriber(stored.GetValueOrDefault(r.Subscriber.SubscriberId), r.Subscriber)).ToList();
        var localization = await localizations.GetAsync(enterpriseId, subscribers.Select(s => s.Locale), cancellationToken);
        // Content that never reads the subscriber renders the same for everyone in one locale: render it once a locale.
        var perRecipient = workflow.Channels.Any(c => c.Template is { } t && (ReadsSubscriber(t.SubjectTemplate) || ReadsSubscriber(t.BodyTemplate)
            || t.Locales.Values.Any(v => ReadsSubscriber(v.Subject) || ReadsSubscriber(v.Body))
            || (t.Layout is { } layout && (ReadsSubscriber(layout.Header) || ReadsSubscriber(layout.Footer)))));
        var sharedByLocale = new Dictionary<string, IReadOnlyList<RenderedChannel>>(StringComparer.Ordinal);
        // The delivery's transaction id is the notification's, suffixed -n when it has several recipients; its
        // notification id is not known yet, so the longest one stands in.
        var transactionId = recipients.Count > 1 ? $"{trigger.TransactionId}-{recipients.Count}" : trigger.TransactionId;
        for (var i = 0; i < recipients.Count; i++)
        {
            var (recipient, subscriber) = (recipients[i], subscribers[i]);
            var localeKey = string.Join('|', Locales.Chain(subscriber.Locale, localization.DefaultLocale));
            IReadOnlyList<RenderedChannel> rendered;
            string? senderName;
            try
            {
                (rendered, senderName) = !perRecipient && sharedByLocale.TryGetValue(localeKey, out var shared)
                    ? (shared, SenderName(workflow))
                    : await RenderAsync(enterpriseId, enterpriseName, workflow, trigger.WorkflowKey, trigger.Payload, subscriber, localization, cancellationToken);
            }
            catch (Exception e) when (e is TemplateRenderException or RenderThrottledException)
            {
                // A template that does not render fails at dispatch, with its own error; it says nothing of size.
                // An enterprise whose templates have used their share of rendering is not measured now: the
                // dispatcher measures every event before sending it.
                return null;
            }

            sharedByLocale.TryAdd(localeKey, rendered);
            var request = NovuEvents.Build(
                workflow, enterpriseId, enterpriseName, long.MaxValue, transactionId, subscriber, trigger.Payload, rendered,
                NovuEvents.WithSenderName(trigger.OverridesJson, senderName));
            // The email's List-Unsubscribe headers, as the dispatcher adds them.
            request = NovuEvents.WithEmailUnsubscribe(request, workflow.Channels.Any(c => c.Channel == NotificationChannel.Email)
                ? UnsubscribeUrl(enterpriseId, trigger.WorkflowKey, subscriber.SubscriberId, NotificationChannel.Email)
                : null);
            if (NovuEvents.Overflow(request, rendered) is { } size)
            {
                return TooLarge(size, recipient.IsTopic ? null : recipient.Subscriber.SubscriberId);
            }
        }

        return null;
    }

    private async Task<(IReadOnlyList<RenderedChannel> Rendered, string? SenderName)> RenderAsync(
        Guid enterpriseId, string? enterpriseName, ResolvedWorkflow workflow, string workflowKey, JsonElement payload, NovuSubscriber subscriber,
        EnterpriseLocalization localization, CancellationToken cancellationToken)
    {
        var rendered = new List<RenderedChannel>(workflow.Channels.Count);
        foreach (var channel in workflow.Channels)
        {
            if (channel.Template is { } template)
            {
                var (chosen, _, translations) = localization.Choose(template, subscriber.Locale);
                rendered.Add(await NovuEvents.RenderAsync(templates, chosen, enterpriseId, enterpriseName, payload, subscriber, cancellationToken, translations,
                    unsubscribeUrl: UnsubscribeUrl(enterpriseId, workflowKey, subscriber.SubscriberId, channel.Channel)));
            }
        }

        return (rendered, SenderName(workflow));
    }

    /// <summary>The recipient's link for a channel, as the dispatcher renders it (null when links are off).</summary>
    private string? UnsubscribeUrl(Guid enterpriseId, string workflowKey, string subscriberId, NotificationChannel channel) =>
        unsubscribe.Url(new UnsubscribeScope(enterpriseId, subscriberId, workflowKey, channel.ToPreferenceKey()));

    /// <summary>The sender name the dispatcher puts in the overrides: the email template's layout's.</summary>
    private static string? SenderName(ResolvedWorkflow workflow) =>
        workflow.Channels.Select(c => c.Template).FirstOrDefault(t => t is { Channel: NotificationChannel.Email, Layout: not null })?.Layout!.SenderName;

    /// <summary>Whether a template may read the subscriber, itself or through an include (which may).</summary>
    private static bool ReadsSubscriber(string? source) =>
        source is not null
        && (source.Contains("subscriber", StringComparison.Ordinal) || source.Contains("unsubscribe_url", StringComparison.Ordinal) || source.Contains("xnovu_render", StringComparison.Ordinal)
            || source.Contains("include", StringComparison.Ordinal));

    private static ProblemHttpResult TooLarge(NovuEventSize size, string? subscriberId)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["channel"] = size.LargestChannel?.ToWireName(),
            ["channelBytes"] = size.LargestChannelBytes,
            ["eventBytes"] = size.Bytes,
            ["limitBytes"] = NovuLimits.MaxEventBytes,
        };
        if (subscriberId is not null)
        {
            extensions["subscriberId"] = subscriberId;
        }

        return TypedResults.Problem(
            size.Describe(), statusCode: StatusCodes.Status413PayloadTooLarge, title: "Novu event too large",
            type: Problems.Types.NovuEventTooLarge, extensions: extensions);
    }

    /// <summary>The largest recipient as the trigger gives it, in UTF-8 bytes of JSON.</summary>
    private static long LargestRecipientBytes(string recipientsJson)
    {
        using var document = JsonDocument.Parse(recipientsJson);
        long largest = 0;
        foreach (var element in document.RootElement.EnumerateArray())
        {
            largest = Math.Max(largest, JsonMarshal.GetRawUtf8Value(element).Length);
        }

        return largest;
    }

    /// <summary>The trigger's recipients as the dispatcher will address them.</summary>
    private static List<Recipient> Recipients(string recipientsJson)
    {
        using var document = JsonDocument.Parse(recipientsJson);
        var recipients = new List<Recipient>();
        foreach (var element in document.RootElement.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.String)
            {
                recipients.Add(new Recipient(new NovuSubscriber { SubscriberId = element.GetString()! }, false));
            }
            else if (Topics.TopicAudience.IsTopic(element))
            {
                recipients.Add(new Recipient(new NovuSubscriber { SubscriberId = element.GetProperty("topicKey").GetString()! }, true));
            }
            else
            {
                recipients.Add(new Recipient(element.Deserialize<NovuSubscriber>(Json)!, false));
            }
        }

        return recipients;
    }

    private sealed record Recipient(NovuSubscriber Subscriber, bool IsTopic);
}
