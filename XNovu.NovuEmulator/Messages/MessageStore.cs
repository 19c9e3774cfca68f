using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using XNovu.NovuEmulator.Events;

namespace XNovu.NovuEmulator.Messages;

/// <summary>
/// One message as Novu keeps it: one per subscriber and channel step that ran. The emulator delivers it at once
/// (<see cref="DoneAt"/>, 50 ms after it was sent) or, under the provider-failure fault, fails it with the
/// provider's error, and both its webhooks and <c>GET /v1/messages</c> report that same fate.
/// </summary>
public sealed record EmulatedMessage(
    string Id, string NotificationId, string Workflow, string TransactionId, string Channel, string SubscriberId,
    bool Failed, DateTimeOffset CreatedAt, DateTimeOffset SentAt, DateTimeOffset DoneAt)
{
    public string ProviderId => Channel switch { "email" => "sendgrid", "sms" => "twilio", "in_app" => "novu", "push" => "fcm", _ => "slack" };

    /// <summary>
    /// The message with the fields of Novu's message entity, as one of its webhooks carries it (<paramref name="asOf"/>:
    /// the message before it was worked, when only sent) or as <c>GET /v1/messages</c> lists it (<paramref name="listed"/>:
    /// <c>deliveredAt</c> a list of dates, as the entity keeps it).
    /// </summary>
    public JsonObject ToJson(bool done, bool listed)
    {
        var failed = done && Failed;
        var delivered = done && !Failed;
        var updatedAt = done ? DoneAt : SentAt;
        JsonNode? deliveredAt = !delivered ? null
            : listed ? new JsonArray(JsonValue.Create(Iso(DoneAt))) : JsonValue.Create(Iso(DoneAt));
        return new JsonObject
        {
            ["_id"] = Id,
            ["_notificationId"] = NotificationId,
            ["templateIdentifier"] = Workflow,
            ["transactionId"] = TransactionId,
            ["channel"] = Channel,
            ["subscriberId"] = SubscriberId,
            ["status"] = failed ? "error" : "sent",
            ["deliveredAt"] = deliveredAt,
            ["seen"] = false,
            ["read"] = false,
            ["providerId"] = ProviderId,
            ["providerResponseId"] = failed ? null : "prv_" + Id,
            ["errorId"] = failed ? "mail_bounce" : null,
            ["errorText"] = failed ? "550 5.1.1 The email account that you tried to reach does not exist." : null,
            ["createdAt"] = Iso(CreatedAt),
            ["updatedAt"] = Iso(updatedAt),
        };
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>The messages Novu made of the recorded events, for its webhooks and its messages API.</summary>
public sealed class MessageStore(TimeProvider time)
{
    private const int Capacity = 200_000;
    private readonly Lock _gate = new();
    private readonly List<EmulatedMessage> _messages = [];
    private readonly Dictionary<string, List<EmulatedMessage>> _byTransaction = new(StringComparer.Ordinal);

    /// <summary>Makes the messages of one recorded event: one per subscriber and channel step that ran.</summary>
    public IReadOnlyList<EmulatedMessage> Record(ReceivedEvent received, bool providerFailure)
    {
        if (received.Steps is null)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var made = new List<EmulatedMessage>();
        foreach (var subscriberId in received.SubscriberIds.DefaultIfEmpty(string.Empty))
        {
            foreach (var step in received.Steps.Where(s => !s.Skipped))
            {
                made.Add(new EmulatedMessage(
                    Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
                    "ntf_" + received.Sequence.ToString(CultureInfo.InvariantCulture), received.Workflow, received.TransactionId,
                    step.Type, subscriberId, providerFailure, received.ReceivedAt, now, now.AddMilliseconds(50)));
            }
        }

        lock (_gate)
        {
            foreach (var message in made)
            {
                _messages.Add(message);
                if (!_byTransaction.TryGetValue(message.TransactionId, out var list))
                {
                    _byTransaction[message.TransactionId] = list = [];
                }

                list.Add(message);
            }

            if (_messages.Count > Capacity)
            {
                // The oldest go first, as a long-lived Novu environment's retention drops them.
                foreach (var old in _messages.Take(Capacity / 10))
                {
                    if (_byTransaction.TryGetValue(old.TransactionId, out var list) && list.Remove(old) && list.Count == 0)
                    {
                        _byTransaction.Remove(old.TransactionId);
                    }
                }

                _messages.RemoveRange(0, Capacity / 10);
            }
        }

        return made;
    }

    /// <summary>Newest first, as Novu sorts its messages; filtered as <c>GET /v1/messages</c> filters them.</summary>
    public IReadOnlyList<EmulatedMessage> List(IReadOnlyCollection<string> transactionIds, string? subscriberId, string? channel)
    {
        lock (_gate)
        {
            var candidates = transactionIds.Count > 0
                ? transactionIds.Distinct(StringComparer.Ordinal).SelectMany(t => _byTransaction.GetValueOrDefault(t) ?? [])
                : _messages;
            return candidates
                .Where(m => subscriberId is null || m.SubscriberId == subscriberId)
                .Where(m => channel is null || m.Channel == channel)
                .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id, StringComparer.Ordinal)
                .ToList();
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _messages.Clear();
            _byTransaction.Clear();
        }
    }
}
