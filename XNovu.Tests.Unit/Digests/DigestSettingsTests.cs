using System.Text.Json;
using XNovu.Core.Digests;

namespace XNovu.Tests.Unit.Digests;

/// <summary>A workflow's digest setting: what is accepted, what is refused (hostile values included), and its times.</summary>
public sealed class DigestSettingsTests
{
    private static DigestSettings Regular(int? amount = 10, string? unit = "seconds", DigestWindow? lookBack = null, string? key = null, int? maxEvents = null) =>
        new("regular", amount, unit, lookBack, null, key, maxEvents);

    private static DigestSettings Timed(string? cron) => new("timed", null, null, null, cron, null, null);

    private static IEnumerable<string> Fields(DigestSettings settings) => settings.Problems().Select(p => p.Field);

    [Fact]
    public void Novus_shapes_are_accepted()
    {
        Assert.Empty(Regular().Problems());
        Assert.Empty(Regular(5, "minutes", new DigestWindow(1, "minutes"), "payload.issue.id", 1000).Problems());
        Assert.Empty(Timed("0 9 * * 1-5").Problems());
        Assert.Empty(Regular(31, "days").Problems());
    }

    [Theory]
    [InlineData(int.MaxValue, "weeks")]
    [InlineData(int.MaxValue, "days")]
    [InlineData(int.MaxValue, "hours")]
    [InlineData(int.MaxValue, "seconds")]
    [InlineData(32, "days")]
    [InlineData(5, "weeks")]
    [InlineData(0, "seconds")]
    [InlineData(-1, "minutes")]
    [InlineData(null, "minutes")]
    public void A_window_that_is_not_positive_or_longer_than_31_days_is_refused_without_overflowing(int? amount, string unit)
    {
        Assert.Equal(["amount"], Fields(Regular(amount, unit)));
        Assert.Equal(["lookBackWindow.amount"], Fields(Regular(lookBack: new DigestWindow(amount, unit))));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("fortnights")]
    [InlineData("Seconds")]
    [InlineData("seconds\0")]
    public void An_unknown_unit_is_refused(string? unit) => Assert.Equal(["unit"], Fields(Regular(unit: unit)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("every day")]
    [InlineData("0 9 * *")]
    [InlineData("61 9 * * *")]
    [InlineData("0 9 * * 1-5\0")]
    [InlineData("\00 9 * * *")]
    [InlineData("0 9 * * * *")]
    public void A_bad_cron_is_refused(string? cron) => Assert.Equal(["cron"], Fields(Timed(cron)));

    [Theory]
    [InlineData("")]
    [InlineData("issue..id")]
    [InlineData(".id")]
    [InlineData("payload.")]
    [InlineData("issue\0id")]
    [InlineData("issue.\u0001")]
    public void A_digest_key_that_is_not_a_payload_path_is_refused(string key) => Assert.Equal(["digestKey"], Fields(Regular(key: key)));

    [Fact]
    public void A_digest_key_longer_than_200_characters_is_refused() =>
        Assert.Equal(["digestKey"], Fields(Regular(key: new string('a', 201))));

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(1001)]
    [InlineData(int.MaxValue)]
    public void Max_events_outside_1_to_1000_is_refused(int maxEvents) => Assert.Equal(["maxEvents"], Fields(Regular(maxEvents: maxEvents)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("REGULAR")]
    [InlineData("regular\0")]
    public void An_unknown_type_is_refused(string? type) =>
        Assert.Equal(["type"], Fields(new DigestSettings(type, 10, "seconds", null, null, null, null)));

    [Fact]
    public void Settings_survive_their_stored_json_and_every_problem_is_named_at_once()
    {
        var settings = Regular(5, "minutes", new DigestWindow(30, "seconds"), "issue.id", 7);
        var many = Regular(0, "seconds", new DigestWindow(1, "years"), "a..b", 0);

        Assert.Equal(settings, DigestSettings.FromJson(settings.ToJson()));
        Assert.Null(DigestSettings.FromJson(null));
        Assert.Equal(["amount", "lookBackWindow.unit", "digestKey", "maxEvents"], Fields(many));
    }

    [Fact]
    public void A_regular_window_flushes_at_its_end_and_the_look_back_is_its_length()
    {
        var now = new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
        var settings = Regular(10, "seconds", new DigestWindow(2, "minutes"));

        Assert.Equal(now.AddSeconds(10), settings.FlushAt(now, "Europe/Paris"));
        Assert.Equal(120, settings.LookBackSeconds);
        Assert.Equal(0, Regular().LookBackSeconds);
        Assert.Equal(0, Timed("0 9 * * *").LookBackSeconds);
    }

    [Fact]
    public void A_timed_digest_flushes_at_the_crons_next_time_in_the_subscribers_zone_or_utc()
    {
        var now = new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero); // 11:00 in Paris, 19:00 in Tokyo
        var settings = Timed("0 9 * * *");

        Assert.Equal(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero), settings.FlushAt(now, "Europe/Paris"));
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero), settings.FlushAt(now, "Asia/Tokyo"));
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero), settings.FlushAt(now, null));
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero), settings.FlushAt(now, "Not/AZone\0"));
    }

    [Fact]
    public void The_key_value_is_read_at_a_nested_path_and_different_values_stay_apart()
    {
        using var payload = JsonDocument.Parse("""{"issue":{"id":42,"name":"a"},"team":"x","none":null}""");
        var root = payload.RootElement;

        Assert.Equal("42", Regular(key: "issue.id").KeyValue(root));
        Assert.Equal("42", Regular(key: "payload.issue.id").KeyValue(root));
        Assert.Equal("a", Regular(key: "issue.name").KeyValue(root));
        Assert.Equal("x", Regular(key: "team").KeyValue(root));
        Assert.Equal("", Regular(key: "none").KeyValue(root));
        Assert.Equal("", Regular(key: "issue.id.deeper").KeyValue(root));
        Assert.Equal("", Regular().KeyValue(root));
        Assert.Equal("""{"id":42,"name":"a"}""", Regular(key: "issue").KeyValue(root));
    }
}
