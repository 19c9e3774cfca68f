using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using XNovu.Core.Definitions;
using XNovu.Core.Telemetry;
using XNovu.Core.Templates;
using XNovu.NovuClient;

namespace XNovu.Core.Novu;

/// <summary>One channel's rendered content, as a Novu step shows it (the plain-text alternative stays in XNovu).</summary>
public sealed record RenderedChannel(NotificationChannel Channel, string? Subject, string Body);

/// <summary>An event's size on the wire, and its largest channel with that channel's own share.</summary>
public sealed record NovuEventSize(long Bytes, NotificationChannel? LargestChannel, long LargestChannelBytes)
{
    public bool Fits => Bytes <= NovuLimits.MaxEventBytes;

    /// <summary>What a refusal says: the size against the limit, and the channel (or else the recipient) that makes it.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"The Novu event would be {Bytes:N0} bytes, over Novu's limit of {NovuLimits.MaxEventBytes:N0} bytes: ") +
        (LargestChannel is { } channel && LargestChannelBytes * 2 >= Bytes
            ? string.Create(CultureInfo.InvariantCulture, $"the rendered {channel.ToWireName()} content is {LargestChannelBytes:N0} bytes.")
            : string.Create(CultureInfo.InvariantCulture,
                $"the recipient and the payload fields passed on take the most (the largest channel, {LargestChannel?.ToWireName() ?? "none"}, is {LargestChannelBytes:N0} bytes)."));
}

/// <summary>
/// The Novu event of one delivery, built the same way wherever it is needed: the dispatcher sends it, the API
/// builds it at accept to measure it. It names the workflow's Novu identifier, the enterprise as <c>tenant</c>,
/// the subscriber under its Novu id (<see cref="NovuNames.SubscriberId"/>) and the caller's transaction id under the
/// enterprise's (<see cref="NovuNames.TransactionId"/>, which is also its Idempotency-Key). Its payload is the rendered
/// content under the reserved key <c>xnovu</c>, <c>{"xnovu":{"notificationId":1,"channels":{"EMAIL":{"subject","body"}}}}</c>,
/// beside only the payload fields the workflow passes on (<see cref="NovuPayloadPaths"/>).
/// </summary>
public static class NovuEvents
{
    public const string ReservedPayloadKey = "xnovu";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What templates see as <c>subscriber</c>.</summary>
    public static SubscriberVariables Variables(NovuSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        return new SubscriberVariables(
            subscriber.SubscriberId, subscriber.Email, subscriber.Phone, subscriber.FirstName, subscriber.LastName, subscriber.Locale, subscriber.Data)
        {
            Timezone = subscriber.Timezone,
            Avatar = subscriber.Avatar,
        };
    }

    /// <summary>Renders one channel's template for one recipient, timing it per channel.</summary>
    /// <exception cref="TemplateRenderException">The template does not render.</exception>
    public static async Task<RenderedChannel> RenderAsync(
        ITemplateEngine templates, TemplateDefinition template, Guid enterpriseId, string? enterpriseName, JsonElement payload,
        NovuSubscriber subscriber, CancellationToken cancellationToken, Localization.Translations? translations = null, JsonElement? digest = null,
        string? unsubscribeUrl = null)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(template);
        var started = Stopwatch.GetTimestamp();
        var result = await templates.RenderAsync(
            RenderRequest.For(template, enterpriseId, payload, Variables(subscriber), new EnterpriseVariables(enterpriseId, enterpriseName))
                with { Translations = translations, Digest = digest, UnsubscribeUrl = unsubscribeUrl },
            cancellationToken);
        XNovuTelemetry.TemplateRenderTime.Record(
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, XNovuTelemetry.Channel(template.Channel.ToWireName()));
        return new RenderedChannel(template.Channel, result.Subject, result.Body);
    }

    /// <summary>The trigger Novu receives for one recipient of one notification.</summary>
    public static TriggerRequest Build(
        ResolvedWorkflow workflow, Guid enterpriseId, string? enterpriseName, long notificationId, string transactionId,
        NovuSubscriber subscriber, JsonElement payload, IReadOnlyList<RenderedChannel> channels, string? overridesJson)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channels);
        var rendered = new JsonObject();
        foreach (var channel in channels)
        {
            rendered[channel.Channel.ToWireName()] = Content(channel);
        }

        var novuPayload = NovuPayloadPaths.Select(payload, workflow.NovuPayload);
        novuPayload[ReservedPayloadKey] = new JsonObject
        {
            ["notificationId"] = notificationId,
            ["channels"] = rendered,
        };

        return new TriggerRequest
        {
            Name = NovuNames.WorkflowId(workflow.IsStatic ? null : enterpriseId, workflow.WorkflowKey),
            To = [NovuRecipient.Of(subscriber with { SubscriberId = NovuNames.SubscriberId(enterpriseId, subscriber.SubscriberId) })],
            TransactionId = NovuNames.TransactionId(enterpriseId, transactionId),
            Payload = JsonSerializer.SerializeToElement(novuPayload, Json),
            Overrides = overridesJson is { } overrides ? JsonSerializer.Deserialize<JsonElement>(overrides) : null,
            Tenant = JsonSerializer.SerializeToElement(
                new { identifier = enterpriseId.ToString(), name = enterpriseName ?? enterpriseId.ToString() }, Json),
        };
    }

    /// <summary>The request with the email's unsubscribe headers when it has an email link; unchanged otherwise.</summary>
    public static TriggerRequest WithEmailUnsubscribe(TriggerRequest request, string? emailUnsubscribeUrl)
    {
        ArgumentNullException.ThrowIfNull(request);
        return emailUnsubscribeUrl is null ? request : request with { Overrides = WithUnsubscribeHeaders(request.Overrides, emailUnsubscribeUrl) };
    }

    /// <summary>
    /// The email's one-click unsubscribe (RFC 8058) through Novu's email overrides: <c>List-Unsubscribe</c> with the
    /// link and <c>List-Unsubscribe-Post: List-Unsubscribe=One-Click</c>. Headers the caller set itself are kept.
    /// </summary>
    public static JsonElement WithUnsubscribeHeaders(JsonElement? overrides, string unsubscribeUrl)
    {
        var root = overrides is { ValueKind: JsonValueKind.Object } given ? JsonObject.Create(given)! : new JsonObject();
        var email = root["email"] as JsonObject ?? new JsonObject();
        var headers = email["headers"] as JsonObject ?? new JsonObject();
        headers["List-Unsubscribe"] ??= $"<{unsubscribeUrl}>";
        headers["List-Unsubscribe-Post"] ??= "List-Unsubscribe=One-Click";
        email["headers"] = headers.Parent is null ? headers : headers.DeepClone();
        root["email"] = email.Parent is null ? email : email.DeepClone();
        return JsonSerializer.SerializeToElement(root, Json);
    }

    /// <summary>
    /// The trigger's overrides with the email layout's sender name as <c>overrides.email.senderName</c>, the field Novu's
    /// email step reads the sender's display name from (issue 30). A sender name the caller's own overrides give wins:
    /// it is the more specific. Unchanged when there is no sender name, or when the caller's <c>email</c> is not an object.
    /// </summary>
    public static string? WithSenderName(string? overridesJson, string? senderName)
    {
        if (string.IsNullOrWhiteSpace(senderName))
        {
            return overridesJson;
        }

        var overrides = overridesJson is null ? new JsonObject() : JsonNode.Parse(overridesJson) as JsonObject;
        if (overrides is null)
        {
            return overridesJson;
        }

        switch (overrides["email"])
        {
            case null:
                overrides["email"] = new JsonObject { ["senderName"] = senderName };
                break;
            case JsonObject email when email["senderName"] is null:
                email["senderName"] = senderName;
                break;
            default:
                return overridesJson;
        }

        return overrides.ToJsonString();
    }

    /// <summary>The event's bytes as the Novu client sends them, and which channel weighs most in it.</summary>
    public static NovuEventSize Measure(TriggerRequest request, IReadOnlyList<RenderedChannel> channels)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(channels);
        NotificationChannel? largest = null;
        long largestBytes = 0;
        foreach (var channel in channels)
        {
            var bytes = NovuLimits.SerializedBytes(Content(channel));
            if (largest is null || bytes > largestBytes)
            {
                (largest, largestBytes) = (channel.Channel, bytes);
            }
        }

        return new NovuEventSize(NovuLimits.EventBytes(request), largest, largestBytes);
    }

    /// <summary>
    /// The event's exact size when it is over Novu's limit, null when it fits: the API's check at accept and the
    /// dispatcher's before a send. <see cref="QuickBound"/> settles nearly every event without serializing it; only
    /// one it cannot rule out is measured exactly (<see cref="Measure"/>, a second serialization of the whole event,
    /// which was a tenth of the dispatcher's CPU under load).
    /// </summary>
    public static NovuEventSize? Overflow(TriggerRequest request, IReadOnlyList<RenderedChannel> channels)
    {
        if (QuickBound(request) <= NovuLimits.MaxEventBytes)
        {
            return null;
        }

        var size = Measure(request, channels);
        return size.Fits ? null : size;
    }

    /// <summary>
    /// An upper bound on the event's bytes from the lengths of its parts, without serializing it: JSON makes at most
    /// 6 bytes of one character of text or one byte of raw JSON (<see cref="NovuEventBound.EscapeFactor"/>), and the
    /// keys and punctuation around them fit in <see cref="NovuEventBound.EnvelopeBytes"/>. The rendered content is
    /// inside the payload, which is already JSON.
    /// </summary>
    public static long QuickBound(TriggerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        long text = request.Name.Length + (request.TransactionId?.Length ?? 0)
            + RawBytes(request.Payload) + RawBytes(request.Overrides) + RawBytes(request.Tenant);
        long recipients = 0;
        foreach (var recipient in request.To.Append(request.Actor))
        {
            recipients++;
            text += recipient?.Subscriber is { } subscriber
                ? subscriber.SubscriberId.Length + (subscriber.Email?.Length ?? 0) + (subscriber.Phone?.Length ?? 0)
                  + (subscriber.FirstName?.Length ?? 0) + (subscriber.LastName?.Length ?? 0) + (subscriber.Avatar?.Length ?? 0)
                  + (subscriber.Locale?.Length ?? 0) + (subscriber.Timezone?.Length ?? 0) + RawBytes(subscriber.Data)
                : (recipient?.SubscriberId?.Length ?? 0) + (recipient?.TopicKey?.Length ?? 0);
        }

        // Each recipient's keys and punctuation (a subscriber has nine fields) on top of the envelope.
        return NovuEventBound.EnvelopeBytes * (1 + recipients) + NovuEventBound.EscapeFactor * text;
    }

    private static long RawBytes(JsonElement? element) =>
        element is { ValueKind: not JsonValueKind.Undefined } value ? JsonMarshal.GetRawUtf8Value(value).Length : 0;

    /// <summary>
    /// The recipient of one delivery: the stored profile with the trigger's inline values over it, for this
    /// delivery only (custom <c>data</c> merged key by key, inline keys winning).
    /// </summary>
    public static NovuSubscriber MergeSubscriber(NovuSubscriber? stored, NovuSubscriber inline)
    {
        ArgumentNullException.ThrowIfNull(inline);
        if (stored is null)
        {
            return inline;
        }

        return new NovuSubscriber
        {
            SubscriberId = inline.SubscriberId,
            Email = inline.Email ?? stored.Email,
            Phone = inline.Phone ?? stored.Phone,
            FirstName = inline.FirstName ?? stored.FirstName,
            LastName = inline.LastName ?? stored.LastName,
            Locale = inline.Locale ?? stored.Locale,
            Timezone = inline.Timezone ?? stored.Timezone,
            Avatar = inline.Avatar ?? stored.Avatar,
            Data = MergeData(stored.Data, inline.Data),
        };
    }

    private static JsonObject Content(RenderedChannel channel) => new()
    {
        ["subject"] = channel.Subject,
        ["body"] = channel.Body,
    };

    private static JsonElement? MergeData(JsonElement? stored, JsonElement? inline)
    {
        if (stored is not { ValueKind: JsonValueKind.Object } storedObject)
        {
            return inline;
        }

        if (inline is not { ValueKind: JsonValueKind.Object } inlineObject)
        {
            return stored;
        }

        var merged = JsonNode.Parse(storedObject.GetRawText())!.AsObject();
        foreach (var property in inlineObject.EnumerateObject())
        {
            merged[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        return JsonSerializer.SerializeToElement(merged, Json);
    }
}
