using XNovu.Core.Definitions;

namespace XNovu.Core.Workflows;

/// <summary>
/// Whether a workflow may be sent: published and not deactivated (a static workflow always may). The one place
/// this rule lives: the trigger checks, the dispatcher (<see cref="ResolvedWorkflow.CanSend"/>) and the Novu sync
/// (whether Novu's copy of the workflow is active) all ask it.
/// </summary>
public static class WorkflowSendRule
{
    public static bool CanSend(bool published, bool deactivated) => published && !deactivated;

    /// <summary>The same rule over a stored row's <c>publish_status</c>.</summary>
    public static bool CanSend(string publishStatus, bool deactivated) => CanSend(IsPublished(publishStatus), deactivated);

    public static bool IsPublished(string publishStatus) => publishStatus == PublishStatuses.Publish;
}
