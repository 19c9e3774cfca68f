using XNovu.Core.Templates;

namespace XNovu.Core.Preferences;

/// <summary>Where a channel's decision came from, lowest precedence first.</summary>
public enum PreferenceSource
{
    /// <summary>Nothing stated the channel: enabled, as in Novu.</summary>
    Default,

    /// <summary>The workflow's own defaults (Novu's workflow <c>preferences</c>).</summary>
    Workflow,

    /// <summary>The enterprise's default for the workflow's category.</summary>
    EnterpriseCategory,

    /// <summary>The enterprise's default for the workflow.</summary>
    EnterpriseWorkflow,

    /// <summary>The subscriber's global preference.</summary>
    SubscriberGlobal,

    /// <summary>The subscriber's preference for the workflow.</summary>
    SubscriberWorkflow,

    /// <summary>The workflow is critical: nothing silences it.</summary>
    Critical,
}

/// <summary>A set of channel choices at one level; <paramref name="Forced"/> puts it above every subscriber choice.</summary>
public sealed record PreferenceLayer(PreferenceSource Source, IReadOnlyDictionary<NotificationChannel, bool> Channels, bool Forced = false);

/// <summary>Everything that decides one subscriber's channels for one workflow.</summary>
public sealed record PreferenceLayers(bool Critical, IReadOnlyList<PreferenceLayer> Layers)
{
    public static readonly PreferenceLayers None = new(false, []);
}

/// <summary>One channel's decision: whether it is sent, which source won, and whether that source was forced.</summary>
public sealed record ChannelDecision(NotificationChannel Channel, bool Enabled, PreferenceSource Source, bool Forced)
{
    /// <summary>The source as the API and <c>skipped_channels</c> spell it: <c>subscriber-workflow</c>, <c>enterprise-category</c>...</summary>
    public string SourceName => PreferenceResolver.SourceName(Source);

    /// <summary>What a delivery says about a channel this decision silenced.</summary>
    public string Reason => Source switch
    {
        PreferenceSource.Workflow => $"{Channel.ToPreferenceKey()} is off in the workflow's defaults{(Forced ? " (read-only)" : "")}.",
        PreferenceSource.EnterpriseCategory => $"{Channel.ToPreferenceKey()} is off in the enterprise's default for the workflow's category{(Forced ? " (forced)" : "")}.",
        PreferenceSource.EnterpriseWorkflow => $"{Channel.ToPreferenceKey()} is off in the enterprise's default for the workflow{(Forced ? " (forced)" : "")}.",
        PreferenceSource.SubscriberGlobal => $"The subscriber turned {Channel.ToPreferenceKey()} off for every workflow.",
        PreferenceSource.SubscriberWorkflow => $"The subscriber turned {Channel.ToPreferenceKey()} off for this workflow.",
        _ => $"{Channel.ToPreferenceKey()} is on.",
    };
}

/// <summary>
/// The one rule deciding whether a channel reaches a subscriber. Later wins, in this order: the workflow's defaults,
/// the enterprise's default for the workflow's category, the enterprise's default for the workflow, the subscriber's
/// global preference, the subscriber's preference for the workflow. A forced layer (an enterprise default marked
/// forced, a read-only workflow) stands above every subscriber choice, and among forced layers the later wins again.
/// A critical workflow is above all of them: every channel it has is sent. A channel no layer states is enabled,
/// as in Novu.
/// </summary>
public static class PreferenceResolver
{
    public static ChannelDecision Decide(NotificationChannel channel, PreferenceLayers layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Critical)
        {
            return new ChannelDecision(channel, true, PreferenceSource.Critical, true);
        }

        ChannelDecision decision = new(channel, true, PreferenceSource.Default, false);
        ChannelDecision? forced = null;
        foreach (var layer in layers.Layers.OrderBy(l => l.Source))
        {
            if (!layer.Channels.TryGetValue(channel, out var enabled))
            {
                continue;
            }

            decision = new ChannelDecision(channel, enabled, layer.Source, layer.Forced);
            if (layer.Forced)
            {
                forced = decision;
            }
        }

        return forced ?? decision;
    }

    public static string SourceName(PreferenceSource source) => source switch
    {
        PreferenceSource.Default => "default",
        PreferenceSource.Workflow => "workflow",
        PreferenceSource.EnterpriseCategory => "enterprise-category",
        PreferenceSource.EnterpriseWorkflow => "enterprise-workflow",
        PreferenceSource.SubscriberGlobal => "subscriber-global",
        PreferenceSource.SubscriberWorkflow => "subscriber-workflow",
        PreferenceSource.Critical => "critical",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown source."),
    };
}
