using System.Text.Json.Nodes;

namespace XNovu.NovuEmulator.Events;

/// <summary>A trigger event as the emulator received it (replays are not events).</summary>
public sealed record ReceivedEvent
{
    public required long Sequence { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public required string Workflow { get; init; }

    public required JsonNode? To { get; init; }

    public required IReadOnlyList<string> SubscriberIds { get; init; }

    public JsonNode? Payload { get; init; }

    public JsonNode? Overrides { get; init; }

    public JsonNode? Actor { get; init; }

    public JsonNode? Tenant { get; init; }

    public required string TransactionId { get; init; }

    public string? IdempotencyKey { get; init; }

    /// <summary>The W3C trace context the caller sent, so a test can follow one trace into Novu.</summary>
    public string? TraceParent { get; init; }

    public bool ViaBulk { get; init; }

    /// <summary>The workflow's channel steps as they ran: null when the emulator accepted an unknown workflow.</summary>
    public IReadOnlyList<Workflows.StepRun>? Steps { get; init; }

    public bool Cancelled { get; init; }
}

/// <summary>A trigger ignored because its transactionId was already processed: kept so a test can see a caller re-send.</summary>
public sealed record IgnoredTrigger(string TransactionId, DateTimeOffset ReceivedAt, string? IdempotencyKey, bool ViaBulk);

public sealed class EventStore
{
    private readonly Lock _gate = new();
    private readonly List<ReceivedEvent> _events = [];
    private readonly HashSet<string> _transactionIds = new(StringComparer.Ordinal);
    private readonly List<IgnoredTrigger> _ignored = [];
    private long _sequence;

    /// <summary>
    /// Records an event, or returns null when its transactionId was already seen: Novu ignores a trigger whose
    /// transactionId it already has ("If the same transactionId is used again, the trigger will be ignored"; the
    /// check runs while the trigger is processed, so the call is still acknowledged), whatever its Idempotency-Key.
    /// </summary>
    public ReceivedEvent? Add(string transactionId, Func<long, ReceivedEvent> create)
    {
        lock (_gate)
        {
            if (!_transactionIds.Add(transactionId))
            {
                return null;
            }

            var received = create(++_sequence);
            _events.Add(received);
            return received;
        }
    }

    /// <summary>Notes a repeat that was ignored.</summary>
    public void Ignored(IgnoredTrigger repeat)
    {
        lock (_gate)
        {
            _ignored.Add(repeat);
        }
    }

    public IReadOnlyList<IgnoredTrigger> ListIgnored()
    {
        lock (_gate)
        {
            return [.. _ignored];
        }
    }

    /// <summary>Whether a trigger with this transactionId was processed already (Novu then ignores the repeat).</summary>
    public bool Seen(string transactionId)
    {
        lock (_gate)
        {
            return _transactionIds.Contains(transactionId);
        }
    }

    /// <summary>Marks the transaction's events cancelled; false when Novu would find nothing to cancel.</summary>
    public bool Cancel(string transactionId)
    {
        lock (_gate)
        {
            var found = false;
            for (var i = 0; i < _events.Count; i++)
            {
                if (_events[i].TransactionId == transactionId)
                {
                    found |= !_events[i].Cancelled;
                    _events[i] = _events[i] with { Cancelled = true };
                }
            }

            return found;
        }
    }

    public IReadOnlyList<ReceivedEvent> List(string? workflow = null, string? subscriberId = null, string? transactionId = null)
    {
        lock (_gate)
        {
            return _events
                .Where(e => workflow is null || e.Workflow == workflow)
                .Where(e => subscriberId is null || e.SubscriberIds.Contains(subscriberId))
                .Where(e => transactionId is null || e.TransactionId == transactionId)
                .ToList();
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _events.Clear();
            _transactionIds.Clear();
            _ignored.Clear();
        }
    }
}
