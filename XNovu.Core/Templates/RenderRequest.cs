using System.Text.Json;

namespace XNovu.Core.Templates;

/// <summary>
/// What to render and with what. Includes (<c>xnovu_render</c>) resolve against <see cref="EnterpriseId"/>.
/// </summary>
/// <param name="SubjectTemplate">Liquid for the subject, or null where the channel has none.</param>
/// <param name="Payload">The trigger payload, seen by templates as <c>payload</c>.</param>
/// <param name="TemplateKey">
/// The key of the stored template being rendered, when it is one: errors name it, and an include of it from
/// below is reported as a cycle.
/// </param>
/// <param name="PayloadAtRoot">
/// Also expose the payload's keys as root variables, as the original XNovu did; <c>payload</c>,
/// <c>subscriber</c> and <c>enterprise</c> keep their meaning when a payload key has one of those names.
/// </param>
public sealed record RenderRequest(
    Guid? EnterpriseId,
    NotificationChannel Channel,
    string? SubjectTemplate,
    string BodyTemplate,
    JsonElement? Payload = null,
    SubscriberVariables? Subscriber = null,
    EnterpriseVariables? Enterprise = null,
    string? TemplateKey = null,
    bool PayloadAtRoot = false)
{
    /// <summary>The catalogs the <c>t</c> filter reads, in the render's locale order; null: none (issue 30).</summary>
    public Localization.Translations? Translations { get; init; }

    /// <summary>
    /// A digest's events, seen by templates as <c>digest.events</c> (each <c>id</c>, <c>time</c>, <c>payload</c>) and
    /// <c>digest.eventCount</c>; null outside a digest.
    /// </summary>
    public JsonElement? Digest { get; init; }

    /// <summary>The subscriber's signed link to turn this workflow's channel off, as <c>{{ unsubscribe_url }}</c>; null: none.</summary>
    public string? UnsubscribeUrl { get; init; }

    /// <summary>A request for a stored template's subject and body.</summary>
    public static RenderRequest For(
        TemplateDefinition template,
        Guid? enterpriseId,
        JsonElement? payload = null,
        SubscriberVariables? subscriber = null,
        EnterpriseVariables? enterprise = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        return new(enterpriseId, template.Channel, template.SubjectTemplate, template.BodyTemplate, payload, subscriber, enterprise, template.TemplateKey,
            template.PayloadAtRoot);
    }
}

/// <summary>The recipient, seen by templates as <c>subscriber</c> (<c>subscriber.firstName</c>, <c>subscriber.data.x</c>).</summary>
public sealed record SubscriberVariables(
    string SubscriberId,
    string? Email = null,
    string? Phone = null,
    string? FirstName = null,
    string? LastName = null,
    string? Locale = null,
    JsonElement? Data = null)
{
    /// <summary>The subscriber's IANA time zone (<c>Europe/Paris</c>), which the <c>local_time</c> filter converts dates into.</summary>
    public string? Timezone { get; init; }

    public string? Avatar { get; init; }
}

/// <summary>The tenant, seen by templates as <c>enterprise.id</c> and <c>enterprise.name</c>.</summary>
public sealed record EnterpriseVariables(Guid Id, string? Name);

/// <param name="Subject">The rendered subject, trimmed; null when the request had no subject template.</param>
/// <param name="Body">The rendered body: HTML for email and in-app, plain text for the other channels.</param>
/// <param name="Text">The body as plain text (the body itself where it already is).</param>
public sealed record RenderResult(string? Subject, string Body, string Text);
