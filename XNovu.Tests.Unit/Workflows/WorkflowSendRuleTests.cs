using XNovu.Core.Definitions;
using XNovu.Core.Workflows;

namespace XNovu.Tests.Unit.Workflows;

/// <summary>"Published and not deactivated", asked the same way by the resolved workflow and the stored row.</summary>
public sealed class WorkflowSendRuleTests
{
    [Theory]
    [InlineData("PUBLISH", false, true)]
    [InlineData("PUBLISH", true, false)]
    [InlineData("DRAFT", false, false)]
    [InlineData("DRAFT", true, false)]
    [InlineData("REVIEW", false, false)]
    [InlineData("publish", false, false)]
    public void Only_a_published_workflow_that_is_not_deactivated_can_send(string publishStatus, bool deactivated, bool canSend)
    {
        var stored = new StoredWorkflow { WorkflowKey = "wf", PublishStatus = publishStatus, Deactivated = deactivated };
        var resolved = new ResolvedWorkflow("wf", IsStatic: false, WorkflowSendRule.IsPublished(publishStatus), deactivated, Version: 1, Channels: []);

        Assert.Equal(canSend, WorkflowSendRule.CanSend(publishStatus, deactivated));
        Assert.Equal(canSend, stored.CanSend);
        Assert.Equal(canSend, resolved.CanSend);
    }
}
