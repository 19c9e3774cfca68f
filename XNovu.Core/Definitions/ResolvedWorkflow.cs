using XNovu.Core.Templates;
using XNovu.Core.Workflows;

namespace XNovu.Core.Definitions;

/// <summary>
/// A workflow as the dispatcher needs it: whether it may be sent, and the template serving each channel,
/// in the workflow's channel order, and the payload fields it passes on to Novu (<see cref="Novu.NovuPayloadPaths"/>;
/// none for a static workflow). Static workflows are always published.
/// </summary>
public sealed record ResolvedWorkflow(
    string WorkflowKey,
    bool IsStatic,
    bool Published,
    bool Deactivated,
    int Version,
    IReadOnlyList<ChannelTemplate> Channels,
    IReadOnlyList<string>? NovuPayload = null)
{
    /// <summary>Never null, also for an entry cached before the field existed.</summary>
    public IReadOnlyList<string> NovuPayload { get; init; } = NovuPayload ?? [];

    public bool CanSend => WorkflowSendRule.CanSend(Published, Deactivated);
}

public sealed record ChannelTemplate(NotificationChannel Channel, TemplateDefinition? Template);
