using XNovu.Core.Templates;

namespace XNovu.Core.Preferences;

/// <summary>A workflow's own preference settings (<c>notify.workflow_preference</c>).</summary>
public sealed record WorkflowPreference(IReadOnlyDictionary<NotificationChannel, bool> Channels, bool ReadOnly, bool Critical)
{
    public static readonly WorkflowPreference None = new(new Dictionary<NotificationChannel, bool>(), false, false);
}

/// <summary>An enterprise default (<c>notify.preference_default</c>) for a workflow or a category.</summary>
public sealed record PreferenceDefault(IReadOnlyDictionary<NotificationChannel, bool> Channels, bool Forced);

/// <summary>
/// Every preference row one enterprise's part of a claimed batch needs, read at once (<see cref="PreferenceSnapshotStore"/>):
/// the decision is made at dispatch from rows read then, so a change made after the trigger was accepted counts.
/// </summary>
public sealed class PreferenceSnapshot
{
    public static readonly PreferenceSnapshot Empty = new();

    public Dictionary<string, WorkflowPreference> Workflows { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> CategoryOf { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PreferenceDefault> WorkflowDefaults { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PreferenceDefault> CategoryDefaults { get; } = new(StringComparer.Ordinal);

    /// <summary>The digest settings of the batch's workflows that have one (<c>notify.workflow_digest</c>), read in the same round trip.</summary>
    public Dictionary<string, XNovu.Core.Digests.DigestSettings> Digests { get; } = new(StringComparer.Ordinal);

    /// <summary>By (subscriber id, workflow key); the key '' is the subscriber's global preference.</summary>
    public Dictionary<(string SubscriberId, string WorkflowKey), IReadOnlyDictionary<NotificationChannel, bool>> Subscribers { get; } = new();

    /// <summary>The layers deciding <paramref name="subscriberId"/>'s channels for <paramref name="workflowKey"/>.</summary>
    public PreferenceLayers For(string workflowKey, string? subscriberId)
    {
        var workflow = Workflows.GetValueOrDefault(workflowKey) ?? WorkflowPreference.None;
        var layers = new List<PreferenceLayer>(5) { new(PreferenceSource.Workflow, workflow.Channels, workflow.ReadOnly) };
        if (CategoryOf.TryGetValue(workflowKey, out var category) && CategoryDefaults.TryGetValue(category, out var byCategory))
        {
            layers.Add(new PreferenceLayer(PreferenceSource.EnterpriseCategory, byCategory.Channels, byCategory.Forced));
        }

        if (WorkflowDefaults.TryGetValue(workflowKey, out var byWorkflow))
        {
            layers.Add(new PreferenceLayer(PreferenceSource.EnterpriseWorkflow, byWorkflow.Channels, byWorkflow.Forced));
        }

        if (subscriberId is not null)
        {
            if (Subscribers.TryGetValue((subscriberId, string.Empty), out var global))
            {
                layers.Add(new PreferenceLayer(PreferenceSource.SubscriberGlobal, global));
            }

            if (Subscribers.TryGetValue((subscriberId, workflowKey), out var own))
            {
                layers.Add(new PreferenceLayer(PreferenceSource.SubscriberWorkflow, own));
            }
        }

        return new PreferenceLayers(workflow.Critical, layers);
    }
}
