using System.Text.Json;

namespace XNovu.Api.Preferences;

// Subscriber preferences in the shapes of Novu's /v2/subscribers/{id}/preferences, so code written against Novu
// ports unchanged. Channel keys are Novu's (email, sms, in_app, push, chat).

/// <summary><c>PATCH /api/subscribers/{id}/preferences</c>: no <c>workflowId</c> sets the global preference.</summary>
public sealed record PreferencePatch(JsonElement? Channels, string? WorkflowId);

/// <summary><c>PATCH /api/subscribers/{id}/preferences/bulk</c>: at most 100 per-workflow preferences.</summary>
public sealed record BulkPreferencePatch(IReadOnlyList<PreferencePatch?>? Preferences);

public sealed record GlobalPreference(bool Enabled, IReadOnlyDictionary<string, bool> Channels);

public sealed record PreferenceWorkflow(string Slug, string Identifier, string Name, bool Critical);

/// <summary>
/// One workflow's preference as it will be applied: each channel's decision, and (XNovu's addition) which source
/// decided it (<c>subscriber-workflow</c>, <c>enterprise-category</c>, <c>critical</c>...).
/// </summary>
public sealed record WorkflowPreferenceAnswer(
    bool Enabled, IReadOnlyDictionary<string, bool> Channels, IReadOnlyList<object> Overrides, PreferenceWorkflow Workflow,
    IReadOnlyDictionary<string, string> Sources, DateTimeOffset? UpdatedAt);

public sealed record SubscriberPreferences(GlobalPreference Global, IReadOnlyList<WorkflowPreferenceAnswer> Workflows);

/// <summary>An enterprise default: <c>PUT /api/preferences/defaults/workflows/{key}</c> or <c>.../categories/{code}</c>.</summary>
public sealed record PreferenceDefaultBody(JsonElement? Channels, bool? Forced);

public sealed record PreferenceDefaultAnswer(string Scope, string Key, IReadOnlyDictionary<string, bool> Channels, bool Forced, DateTimeOffset UpdatedAt);

public sealed record PreferenceDefaults(IReadOnlyList<PreferenceDefaultAnswer> Workflows, IReadOnlyList<PreferenceDefaultAnswer> Categories);

/// <summary>Novu's workflow preference block: <c>{"all":{"enabled":true,"readOnly":false},"channels":{"email":{"enabled":true}}}</c>.</summary>
public sealed record NovuWorkflowPreferences(NovuAllPreference? All, IReadOnlyDictionary<string, NovuChannelPreference>? Channels);

public sealed record NovuAllPreference(bool? Enabled, bool? ReadOnly);

public sealed record NovuChannelPreference(bool? Enabled);

/// <summary><c>PUT /api/workflows/{key}/preferences</c>: the workflow's own defaults, and whether it is critical.</summary>
public sealed record WorkflowPreferenceBody(NovuWorkflowPreferences? Preferences, bool? Critical);

public sealed record WorkflowPreferenceSettings(string WorkflowKey, bool Critical, NovuWorkflowPreferences Preferences, DateTimeOffset? UpdatedAt);
