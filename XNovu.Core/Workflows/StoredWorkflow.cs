namespace XNovu.Core.Workflows;

/// <summary>
/// An enterprise's own row of <c>notify.ent_notification_workflow</c> as the dispatcher reads it, both to resolve
/// what it sends and to tell Novu what to hold: read by <see cref="WorkflowResolver.FindOwnAsync"/> alone.
/// </summary>
/// <remarks>A class, not a positional record: Dapper maps array columns only onto properties.</remarks>
public sealed class StoredWorkflow
{
    public string WorkflowKey { get; init; } = string.Empty;
    public string Name { get; init; } = string.Empty;
    public string PublishStatus { get; init; } = string.Empty;
    public bool Deactivated { get; init; }
    public int Version { get; init; }
    public string[] Channels { get; init; } = [];
    public string TemplateOverrides { get; init; } = "{}";
    public string[] NovuPayload { get; init; } = [];

    public bool CanSend => WorkflowSendRule.CanSend(PublishStatus, Deactivated);
}
