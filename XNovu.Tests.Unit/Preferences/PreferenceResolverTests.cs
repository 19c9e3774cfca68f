using XNovu.Core.Preferences;
using XNovu.Core.Templates;

namespace XNovu.Tests.Unit.Preferences;

/// <summary>The one rule deciding a channel: later wins, forced above subscribers, critical above all.</summary>
public sealed class PreferenceResolverTests
{
    private static Dictionary<NotificationChannel, bool> Email(bool on) => new() { [NotificationChannel.Email] = on };

    private static ChannelDecision Decide(bool critical = false, params PreferenceLayer[] layers) =>
        PreferenceResolver.Decide(NotificationChannel.Email, new PreferenceLayers(critical, layers));

    [Fact]
    public void A_channel_nothing_states_is_on_by_default()
    {
        var decision = Decide(false, new PreferenceLayer(PreferenceSource.SubscriberWorkflow, new Dictionary<NotificationChannel, bool> { [NotificationChannel.Sms] = false }));

        Assert.True(decision.Enabled);
        Assert.Equal("default", decision.SourceName);
    }

    [Fact]
    public void The_subscribers_choice_for_the_workflow_beats_its_global_choice_and_every_default()
    {
        var decision = Decide(false,
            new PreferenceLayer(PreferenceSource.SubscriberWorkflow, Email(false)),
            new PreferenceLayer(PreferenceSource.SubscriberGlobal, Email(true)),
            new PreferenceLayer(PreferenceSource.EnterpriseWorkflow, Email(true)),
            new PreferenceLayer(PreferenceSource.Workflow, Email(true)));

        Assert.False(decision.Enabled);
        Assert.Equal(PreferenceSource.SubscriberWorkflow, decision.Source);
        Assert.Contains("turned email off for this workflow", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Order_is_workflow_then_enterprise_category_then_enterprise_workflow_then_subscriber()
    {
        Assert.Equal(PreferenceSource.EnterpriseCategory, Decide(false,
            new PreferenceLayer(PreferenceSource.Workflow, Email(true)), new PreferenceLayer(PreferenceSource.EnterpriseCategory, Email(false))).Source);
        Assert.Equal(PreferenceSource.EnterpriseWorkflow, Decide(false,
            new PreferenceLayer(PreferenceSource.EnterpriseCategory, Email(false)), new PreferenceLayer(PreferenceSource.EnterpriseWorkflow, Email(true))).Source);
        Assert.Equal(PreferenceSource.SubscriberGlobal, Decide(false,
            new PreferenceLayer(PreferenceSource.EnterpriseWorkflow, Email(true)), new PreferenceLayer(PreferenceSource.SubscriberGlobal, Email(false))).Source);
    }

    [Fact]
    public void A_forced_default_stands_above_the_subscribers_choices()
    {
        var decision = Decide(false,
            new PreferenceLayer(PreferenceSource.EnterpriseCategory, Email(false), Forced: true),
            new PreferenceLayer(PreferenceSource.SubscriberWorkflow, Email(true)));

        Assert.False(decision.Enabled);
        Assert.Equal("enterprise-category", decision.SourceName);
        Assert.True(decision.Forced);
    }

    [Fact]
    public void A_read_only_workflow_drops_subscriber_choices_for_the_channels_it_states()
    {
        var layers = new PreferenceLayers(false, [
            new PreferenceLayer(PreferenceSource.Workflow, Email(true), Forced: true),
            new PreferenceLayer(PreferenceSource.SubscriberWorkflow, new Dictionary<NotificationChannel, bool> { [NotificationChannel.Email] = false, [NotificationChannel.Sms] = false })]);

        Assert.True(PreferenceResolver.Decide(NotificationChannel.Email, layers).Enabled);
        Assert.False(PreferenceResolver.Decide(NotificationChannel.Sms, layers).Enabled);
    }

    [Fact]
    public void A_critical_workflow_sends_whatever_anyone_chose()
    {
        var decision = Decide(true,
            new PreferenceLayer(PreferenceSource.EnterpriseWorkflow, Email(false), Forced: true),
            new PreferenceLayer(PreferenceSource.SubscriberWorkflow, Email(false)));

        Assert.True(decision.Enabled);
        Assert.Equal("critical", decision.SourceName);
    }

    [Fact]
    public void A_snapshot_gives_each_subscriber_only_its_own_choices()
    {
        var snapshot = new PreferenceSnapshot();
        snapshot.Subscribers[("ann", "wf")] = Email(false);
        snapshot.CategoryOf["wf"] = "billing";
        snapshot.CategoryDefaults["billing"] = new PreferenceDefault(new Dictionary<NotificationChannel, bool> { [NotificationChannel.Sms] = false }, false);

        Assert.False(PreferenceResolver.Decide(NotificationChannel.Email, snapshot.For("wf", "ann")).Enabled);
        Assert.True(PreferenceResolver.Decide(NotificationChannel.Email, snapshot.For("wf", "bob")).Enabled);
        Assert.True(PreferenceResolver.Decide(NotificationChannel.Email, snapshot.For("other", "ann")).Enabled);
        Assert.Equal(PreferenceSource.EnterpriseCategory, PreferenceResolver.Decide(NotificationChannel.Sms, snapshot.For("wf", "bob")).Source);
    }

    [Fact]
    public void Stored_channels_round_trip_in_novus_spelling_and_ignore_what_is_not_a_channel()
    {
        var read = PreferenceChannels.Read("""{"in_app":false,"email":true,"fax":false,"sms":"no"}""");

        Assert.Equal(2, read.Count);
        Assert.False(read[NotificationChannel.InApp]);
        Assert.Equal("""{"email":true,"in_app":false}""", PreferenceChannels.Write(read));
    }
}
