using XNovu.Core.Preferences;
using XNovu.Dispatcher.Preferences;

namespace XNovu.Tests.Unit.Preferences;

/// <summary>How one claim of queued preferences becomes Novu calls: batched per subscriber, within Novu's bulk limit.</summary>
public sealed class PreferenceSyncCallsTests
{
    private static readonly Guid Acme = Guid.NewGuid();
    private static readonly Guid Other = Guid.NewGuid();

    [Fact]
    public void A_subscribers_workflow_preferences_go_in_one_bulk_call_and_the_global_one_alone()
    {
        var calls = PreferenceSyncWorker.Calls([Row(Acme, "ann", "a"), Row(Acme, "ann", ""), Row(Acme, "ann", "b")]).ToList();

        Assert.Equal(2, calls.Count);
        Assert.Equal([""], calls[0].Select(c => c.WorkflowKey));
        Assert.Equal(["a", "b"], calls[1].Select(c => c.WorkflowKey));
    }

    [Fact]
    public void Subscribers_and_enterprises_never_share_a_call_and_a_bulk_holds_at_most_100()
    {
        var rows = Enumerable.Range(0, 250).Select(i => Row(Acme, "ann", $"w{i}"))
            .Append(Row(Other, "ann", "w0")).Append(Row(Acme, "bob", "w0")).ToList();

        var calls = PreferenceSyncWorker.Calls(rows).ToList();

        Assert.Equal([100, 100, 50, 1, 1], calls.Select(c => c.Count));
        Assert.All(calls, call => Assert.Single(call.Select(c => (c.EnterpriseId, c.SubscriberId)).Distinct()));
    }

    private static PreferenceSync Row(Guid enterprise, string subscriber, string key) =>
        new(enterprise, subscriber, key, """{"email":false}""", OwnWorkflow: true, Attempts: 1);
}
