using XNovu.Core.Templates;

namespace XNovu.Core.Definitions;

/// <summary>
/// A workflow as the dispatcher needs it: whether it may be sent, and the template serving each channel,
/// in the workflow's channel order. Static workflows are always published.
/// </summary>
public sealed record ResolvedWorkflow(
    string WorkflowKey,
    bool IsStatic,
    bool Published,
    bool Deactivated,
    int Version,
    IReadOnlyList<ChannelTemplate> Channels)
{
    public bool CanSend => Published && !Deactivated;
}

public sealed record ChannelTemplate(NotificationChannel Channel, TemplateDefinition? Template);
