using XNovu.Core.Preferences;

namespace XNovu.Tests.Unit.Preferences;

public sealed class PreferenceReadBackTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);

    private static StoredPreferenceLevel Stored(
        Dictionary<string, bool>? level = null, Dictionary<string, bool>? global = null, DateTimeOffset? updatedAt = null, bool pending = false) =>
        new(level ?? [], global ?? [], updatedAt, pending);

    [Fact]
    public void A_channel_Novu_shows_otherwise_than_XNovu_pushed_is_taken()
    {
        var changes = PreferenceReadBack.Changes(new Dictionary<string, bool> { ["email"] = false, ["sms"] = true }, false, Now, Stored());

        Assert.Equal(new Dictionary<string, bool> { ["email"] = false }, changes);
    }

    [Fact]
    public void The_echo_of_XNovus_own_push_changes_nothing()
    {
        var stored = Stored(level: new() { ["email"] = false }, updatedAt: Now.AddSeconds(-5));

        Assert.Empty(PreferenceReadBack.Changes(new Dictionary<string, bool> { ["email"] = false, ["sms"] = true }, false, Now, stored));
    }

    [Fact]
    public void A_workflow_channel_the_level_does_not_state_is_compared_with_the_global_choice_Novu_shows_for_it()
    {
        var stored = Stored(global: new() { ["sms"] = false });

        Assert.Empty(PreferenceReadBack.Changes(new Dictionary<string, bool> { ["sms"] = false }, false, Now, stored));
        Assert.Equal(new Dictionary<string, bool> { ["sms"] = true }, PreferenceReadBack.Changes(new Dictionary<string, bool> { ["sms"] = true }, false, Now, stored));
        // The global level itself is compared with Novu's default, on.
        Assert.Equal(new Dictionary<string, bool> { ["sms"] = false }, PreferenceReadBack.Changes(new Dictionary<string, bool> { ["sms"] = false }, true, Now, Stored()));
    }

    [Fact]
    public void A_report_not_later_than_XNovus_last_write_of_the_level_is_dropped()
    {
        var stored = Stored(level: new() { ["email"] = true }, updatedAt: Now);

        Assert.Empty(PreferenceReadBack.Changes(new Dictionary<string, bool> { ["email"] = false }, false, Now, stored));
        Assert.Empty(PreferenceReadBack.Changes(new Dictionary<string, bool> { ["email"] = false }, false, Now.AddSeconds(-1), stored));
        Assert.Single(PreferenceReadBack.Changes(new Dictionary<string, bool> { ["email"] = false }, false, Now.AddSeconds(1), stored));
    }

    [Fact]
    public void While_XNovus_change_is_queued_for_Novu_the_channels_it_states_stay_XNovus_and_the_others_are_Novus()
    {
        var stored = Stored(level: new() { ["email"] = true }, updatedAt: Now.AddMinutes(-1), pending: true);

        var changes = PreferenceReadBack.Changes(new Dictionary<string, bool> { ["email"] = false, ["push"] = false }, false, Now, stored);

        Assert.Equal(new Dictionary<string, bool> { ["push"] = false }, changes);
    }

    [Fact]
    public void Channels_Novu_does_not_have_are_ignored()
    {
        Assert.Empty(PreferenceReadBack.Changes(new Dictionary<string, bool> { ["fax"] = false, ["EMAIL"] = false }, true, Now, Stored()));
    }
}
