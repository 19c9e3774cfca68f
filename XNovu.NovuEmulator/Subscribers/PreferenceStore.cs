namespace XNovu.NovuEmulator.Subscribers;

/// <summary>One subscriber's choices: global, and per workflow (by the workflow's database id).</summary>
public sealed record SubscriberChoices(
    IReadOnlyDictionary<string, bool> Global,
    IReadOnlyDictionary<string, WorkflowChoice> Workflows);

public sealed record WorkflowChoice(IReadOnlyDictionary<string, bool> Channels, DateTimeOffset UpdatedAt);

/// <summary>
/// Subscribers' preference choices as Novu keeps them: only the channels a subscriber stated, merged on each
/// PATCH (a channel left out keeps its value). What a channel finally is comes from <see cref="PreferenceView"/>.
/// </summary>
public sealed class PreferenceStore(TimeProvider time)
{
    private static readonly SubscriberChoices None = new(new Dictionary<string, bool>(), new Dictionary<string, WorkflowChoice>());

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SubscriberChoices> _choices = new(StringComparer.Ordinal);

    public SubscriberChoices Get(string subscriberId)
    {
        lock (_gate)
        {
            return _choices.GetValueOrDefault(subscriberId) ?? None;
        }
    }

    /// <summary>Applies every change or none (a bulk is one write). A null workflow id is the global preference.</summary>
    public void Apply(string subscriberId, IReadOnlyList<(string? WorkflowDatabaseId, IReadOnlyDictionary<string, bool> Channels)> changes)
    {
        lock (_gate)
        {
            var current = _choices.GetValueOrDefault(subscriberId) ?? None;
            var global = new Dictionary<string, bool>(current.Global);
            var workflows = new Dictionary<string, WorkflowChoice>(current.Workflows);
            var now = time.GetUtcNow();
            foreach (var (workflow, channels) in changes)
            {
                if (workflow is null)
                {
                    Merge(global, channels);
                    continue;
                }

                var merged = new Dictionary<string, bool>(workflows.GetValueOrDefault(workflow)?.Channels ?? new Dictionary<string, bool>());
                Merge(merged, channels);
                workflows[workflow] = new WorkflowChoice(merged, now);
            }

            _choices[subscriberId] = new SubscriberChoices(global, workflows);
        }
    }

    public void Forget(string subscriberId)
    {
        lock (_gate)
        {
            _choices.Remove(subscriberId);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _choices.Clear();
        }
    }

    private static void Merge(Dictionary<string, bool> into, IReadOnlyDictionary<string, bool> channels)
    {
        foreach (var (channel, enabled) in channels)
        {
            into[channel] = enabled;
        }
    }
}
