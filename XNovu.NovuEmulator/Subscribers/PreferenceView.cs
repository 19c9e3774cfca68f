using XNovu.NovuEmulator.Workflows;

namespace XNovu.NovuEmulator.Subscribers;

// The answers of Novu's /v2/subscribers/{id}/preferences routes, as @novu/api 3.x validates them.

public sealed record GlobalPreferenceDto(bool Enabled, IReadOnlyDictionary<string, bool> Channels);

public sealed record PreferenceWorkflowInfoDto(string Slug, string Identifier, string Name, DateTimeOffset UpdatedAt);

public sealed record PreferenceOverrideDto(string Channel, string Source);

public sealed record WorkflowPreferenceDto(
    bool Enabled, IReadOnlyDictionary<string, bool> Channels, IReadOnlyList<PreferenceOverrideDto> Overrides,
    PreferenceWorkflowInfoDto Workflow, DateTimeOffset? UpdatedAt);

public sealed record SubscriberPreferencesDto(GlobalPreferenceDto Global, IReadOnlyList<WorkflowPreferenceDto> Workflows);

/// <summary>An entry of the bulk PATCH's answer (Novu's <c>GetPreferencesResponseDto</c>).</summary>
public sealed record PreferenceLevelDto(string Level, PreferenceLevelWorkflowDto? Workflow, bool Enabled, IReadOnlyDictionary<string, bool> Channels);

public sealed record PreferenceLevelWorkflowDto(string Id, string Identifier, string Name, bool Critical, IReadOnlyList<string> Tags, string Severity);

/// <summary>
/// Novu's merge, later wins: the workflow's preferences (<c>user</c>, else <c>default</c>), then the
/// subscriber's global choice, then the subscriber's choice for the workflow; a read-only (critical) workflow
/// drops the subscriber's choices. A workflow lists only the channels its steps use; the global lists all five.
/// </summary>
public static class PreferenceView
{
    public static GlobalPreferenceDto Global(SubscriberChoices choices) => new(true,
        WorkflowPreferences.Channels.ToDictionary(c => c, c => choices.Global.GetValueOrDefault(c, true), StringComparer.Ordinal));

    public static WorkflowPreferenceDto ForWorkflow(WorkflowDto workflow, SubscriberChoices choices)
    {
        var preferences = workflow.Preferences.User ?? workflow.Preferences.Default;
        var readOnly = WorkflowPreferences.IsReadOnly(preferences);
        var own = choices.Workflows.GetValueOrDefault(workflow.Id);
        var channels = new Dictionary<string, bool>(StringComparer.Ordinal);
        var overrides = new List<PreferenceOverrideDto>();
        foreach (var channel in WorkflowPreferences.Channels.Where(c => workflow.Steps.Any(s => s.Type == c)))
        {
            var enabled = WorkflowPreferences.ChannelEnabled(preferences, channel);
            if (!readOnly && choices.Global.TryGetValue(channel, out var global))
            {
                enabled = global;
            }

            if (!readOnly && own is not null && own.Channels.TryGetValue(channel, out var chosen))
            {
                enabled = chosen;
                overrides.Add(new PreferenceOverrideDto(channel, "subscriber"));
            }

            channels[channel] = enabled;
        }

        return new WorkflowPreferenceDto(
            WorkflowPreferences.AllEnabled(preferences), channels, overrides,
            new PreferenceWorkflowInfoDto(workflow.Slug, workflow.WorkflowId, workflow.Name, workflow.UpdatedAt),
            own?.UpdatedAt);
    }

    public static SubscriberPreferencesDto All(IEnumerable<WorkflowDto> workflows, SubscriberChoices choices, string criticality) =>
        new(Global(choices), workflows
            .Where(w => criticality == "all" || (criticality == "critical") == w.Critical)
            .Select(w => ForWorkflow(w, choices))
            .ToList());

    /// <summary>The global level as Novu's <c>InboxPreference</c> (no workflow).</summary>
    public static PreferenceLevelDto GlobalLevel(SubscriberChoices choices) => new("global", null, true, Global(choices).Channels);

    public static PreferenceLevelDto Level(WorkflowDto workflow, SubscriberChoices choices)
    {
        var preference = ForWorkflow(workflow, choices);
        return new PreferenceLevelDto("template",
            new PreferenceLevelWorkflowDto(workflow.Id, workflow.WorkflowId, workflow.Name, workflow.Critical, workflow.Tags, workflow.Severity),
            preference.Enabled, preference.Channels);
    }
}
