using XNovu.Core.Novu;

namespace XNovu.Tests.Unit.Novu;

/// <summary>What a queued removal deletes in Novu: the enterprise's own names, never a workflow every enterprise shares.</summary>
public sealed class NovuRemovalTests
{
    private static readonly Guid Enterprise = Guid.Parse("0195f0a1-3333-7000-8000-00000000000c");

    [Fact]
    public void A_subscriber_is_removed_under_its_Novu_id() =>
        Assert.Equal(NovuNames.SubscriberId(Enterprise, "ann"), Removal(NovuRemoval.Subscriber, "ann").NovuId);

    [Fact]
    public void A_workflow_with_a_static_key_is_the_enterprises_own_never_the_shared_static_one()
    {
        var id = Removal(NovuRemoval.Workflow, "default-email").NovuId;

        Assert.Equal(NovuNames.WorkflowId(Enterprise, "default-email"), id);
        Assert.NotEqual(NovuNames.WorkflowId(null, "default-email"), id);
    }

    private static NovuRemoval Removal(string kind, string key) => new(1, Enterprise, kind, key, null, null, 1);
}
