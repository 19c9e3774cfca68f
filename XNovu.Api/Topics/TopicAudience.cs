using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using XNovu.Api.Http;
using XNovu.Core.Persistence;

namespace XNovu.Api.Topics;

/// <summary>A trigger's recipients once its topics are expanded.</summary>
/// <param name="RecipientsJson">The stored recipient list: single recipients as given, then each member once.</param>
/// <param name="Count">How many recipients the trigger reaches.</param>
/// <param name="Expanding">True when the deliveries are to be created in batches after the notification is stored.</param>
internal sealed record Audience(string RecipientsJson, int Count, bool Expanding);

/// <summary>
/// Expands the topics of a trigger's <c>to</c> (Novu's <c>{"type":"Topic","topicKey":...}</c>) into its members,
/// when the trigger is accepted: every member once, a member named also as a single recipient only as that
/// recipient, at most <see cref="TopicOptions.MaxTriggerRecipients"/> in all (more is 422). The notification
/// then stores the whole audience in its first transaction, and its deliveries are created in batches of
/// <see cref="TopicOptions.ExpansionBatchSize"/>, each its own transaction (<c>notify.expand_deliveries</c>),
/// before the trigger is answered; an instance that dies between batches leaves the rest to
/// <see cref="TopicExpansionResumer"/>.
/// </summary>
internal sealed partial class TopicAudience(TopicStore store, IOptions<TopicOptions> options, ILogger<TopicAudience> logger)
{
    public const string TopicType = "Topic";

    /// <summary>Whether a recipient is a topic reference: an object with a <c>topicKey</c> (Novu's <c>type</c> is optional).</summary>
    public static bool IsTopic(JsonElement recipient) =>
        recipient.ValueKind == JsonValueKind.Object && recipient.TryGetProperty("topicKey", out _);

    /// <summary>How many recipients a trigger that names no topic reaches; null when it names one (it is expanded).</summary>
    public static int? DirectCount(string recipientsJson)
    {
        using var document = JsonDocument.Parse(recipientsJson);
        var recipients = document.RootElement;
        return recipients.EnumerateArray().Any(IsTopic) ? null : recipients.GetArrayLength();
    }

    /// <summary>The recipients with every topic replaced by its members, or the 422 that refuses them.</summary>
    public async Task<(Audience? Audience, ProblemHttpResult? Problem)> ExpandAsync(TenantSession session, string recipientsJson)
    {
        var cap = options.Value.MaxTriggerRecipients;
        var recipients = JsonNode.Parse(recipientsJson)!.AsArray();
        var topicKeys = recipients
            .Where(r => r is JsonObject o && o.ContainsKey("topicKey"))
            .Select(r => (string)r!["topicKey"]!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (topicKeys.Count == 0)
        {
            return (new Audience(recipientsJson, recipients.Count, Expanding: false), null);
        }

        var members = await TopicStore.AudienceAsync(session, topicKeys, cap + 1);
        var errors = new ValidationErrors();
        for (var i = 0; i < recipients.Count; i++)
        {
            if (recipients[i] is JsonObject o && o.ContainsKey("topicKey") && !members.ContainsKey((string)o["topicKey"]!))
            {
                errors.Add($"to[{i}].topicKey", $"names no topic of this enterprise ('{(string)o["topicKey"]!}').");
            }
        }

        if (errors.Any)
        {
            return (null, errors.ToProblem());
        }

        // Single recipients keep their place and their inline values; a topic adds only members not named yet.
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var recipient in recipients)
        {
            if (recipient is JsonValue value && value.TryGetValue<string>(out var id))
            {
                named.Add(id);
            }
            else if (recipient is JsonObject o && !o.ContainsKey("topicKey") && (string?)o["subscriberId"] is { } objectId)
            {
                named.Add(objectId);
            }
        }

        var expanded = new JsonArray();
        foreach (var recipient in recipients)
        {
            if (recipient is JsonObject o && o.ContainsKey("topicKey"))
            {
                foreach (var member in members[(string)o["topicKey"]!])
                {
                    if (named.Add(member))
                    {
                        expanded.Add(member);
                    }
                }
            }
            else
            {
                expanded.Add(recipient!.DeepClone());
            }

            if (expanded.Count > cap)
            {
                return (null, Problems.Validation("to", $"reaches more than {cap} recipients; split the audience (XNovu:Topics:MaxTriggerRecipients)."));
            }
        }

        if (expanded.Count == 0)
        {
            return (null, Problems.Validation("to", "reaches no recipient: its topics have no subscribers."));
        }

        return (new Audience(expanded.ToJsonString(), expanded.Count, Expanding: true), null);
    }

    /// <summary>
    /// Creates a stored topic notification's deliveries, batch after batch. A failure here loses nothing: the
    /// audience is stored with the notification, and the resumer finishes it.
    /// </summary>
    public async Task CreateDeliveriesAsync(Guid enterpriseId, long notificationId, CancellationToken cancellationToken)
    {
        try
        {
            while (await store.ExpandAsync(enterpriseId, notificationId, options.Value.ExpansionBatchSize, cancellationToken) > 0)
            {
            }
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or OperationCanceledException)
        {
            LogExpansionInterrupted(logger, e, notificationId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Creating the deliveries of topic notification {NotificationId} was interrupted; the resumer finishes it")]
    private static partial void LogExpansionInterrupted(ILogger logger, Exception exception, long notificationId);
}
