using System.Text.Json.Nodes;

namespace XNovu.Console.Api;

// Issue 29's shapes as the console reads them: subscriber preferences (Novu's, with XNovu's `sources`), the
// enterprise's defaults, and a workflow's digest. Channel keys are Novu's (email, sms, in_app, push, chat).

public sealed record GlobalPreferenceView(bool Enabled, Dictionary<string, bool> Channels);

public sealed record PreferenceWorkflowView(string Slug, string Identifier, string Name, bool Critical);

/// <summary>One workflow's channels as they will be applied, and for each the level that decided it.</summary>
public sealed record WorkflowPreferenceView(bool Enabled, Dictionary<string, bool> Channels, PreferenceWorkflowView Workflow, Dictionary<string, string>? Sources);

public sealed record SubscriberPreferencesView(GlobalPreferenceView Global, IReadOnlyList<WorkflowPreferenceView> Workflows);

public sealed record PreferenceDefaultView(string Scope, string Key, Dictionary<string, bool> Channels, bool Forced, DateTimeOffset UpdatedAt);

public sealed record PreferenceDefaultsView(IReadOnlyList<PreferenceDefaultView> Workflows, IReadOnlyList<PreferenceDefaultView> Categories);

/// <summary>A workflow's digest, in Novu's digest step controls (<c>type</c>, <c>amount</c>, <c>unit</c>, ...).</summary>
public sealed record DigestView(string WorkflowKey, JsonObject Digest, DateTimeOffset UpdatedAt);

/// <summary>The channels Novu names, in the order the pages show them.</summary>
public static class PreferenceChannelKeys
{
    public static readonly IReadOnlyList<string> All = ["email", "sms", "in_app", "push", "chat"];
}
