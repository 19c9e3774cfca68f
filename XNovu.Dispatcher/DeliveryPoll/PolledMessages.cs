using XNovu.NovuClient;

namespace XNovu.Dispatcher.DeliveryPoll;

/// <summary>What Novu's message says happened, as the timeline's events: the one rule that reads a polled message.</summary>
public static class PolledMessages
{
    /// <summary>
    /// A message Novu failed (<c>status: error</c>) is <c>failed</c> with the provider's error; one it sent is
    /// <c>sent</c>, then <c>delivered</c> once it has a delivery date, <c>seen</c> and <c>read</c> as flagged, each
    /// at its own date when Novu keeps one.
    /// </summary>
    public static IEnumerable<PolledEvent> Events(NovuMessage message, PolledDelivery delivery)
    {
        var environment = delivery.OwnEnvironment ? delivery.EnterpriseId : (Guid?)null;
        var at = message.UpdatedAt ?? message.CreatedAt ?? DateTimeOffset.UtcNow;
        PolledEvent Event(string name, DateTimeOffset occurredAt, bool withError = false) => new(
            environment, delivery.EnterpriseId, delivery.TransactionId, name, occurredAt, message.Id, message.Channel, message.ProviderId,
            withError ? message.ErrorId : null, withError ? message.ErrorText : null);

        if (message.Status == "error")
        {
            yield return Event("failed", at, withError: true);
            yield break;
        }

        if (message.Status != "sent")
        {
            // warning, or a status Novu adds later: nothing this timeline can name.
            yield break;
        }

        yield return Event("sent", message.CreatedAt ?? at);
        if (message.FirstDeliveredAt is { } deliveredAt)
        {
            yield return Event("delivered", deliveredAt);
        }

        if (message.Seen)
        {
            yield return Event("seen", message.LastSeenDate ?? at);
        }

        if (message.Read)
        {
            yield return Event("read", message.LastReadDate ?? at);
        }
    }
}
