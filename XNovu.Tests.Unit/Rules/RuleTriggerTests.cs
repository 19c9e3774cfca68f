using System.Text.Json.Nodes;
using XNovu.Core.Rules;

namespace XNovu.Tests.Unit.Rules;

/// <summary>Reading stored trigger configurations, and merging an event's payload into its rule's.</summary>
public sealed class RuleTriggerTests
{
    [Fact]
    public void Stored_cron_config_is_read_with_its_time_zone_and_policy()
    {
        var trigger = RuleTrigger.Parse("CRON", """{"cron":"0 30 9 * * 1-5","timezone":"Europe/Paris","enabled":true,"misfirePolicy":"skip"}""");

        Assert.Equal(RuleTrigger.CronType, trigger.Type);
        Assert.Equal("0 30 9 * * 1-5", trigger.CronText);
        Assert.Equal("Europe/Paris", trigger.TimeZone.Id);
        Assert.Equal(MisfirePolicy.Skip, trigger.Misfire);
        Assert.True(trigger.Enabled);
    }

    [Fact]
    public void Cron_config_without_settings_defaults_to_utc_enabled_and_fire_once()
    {
        var trigger = RuleTrigger.Parse("CRON", """{"cron":"*/5 * * * *"}""");

        Assert.Equal(TimeZoneInfo.Utc.Id, trigger.TimeZone.Id);
        Assert.Equal(MisfirePolicy.FireOnce, trigger.Misfire);
        Assert.True(trigger.Enabled);
    }

    [Fact]
    public void Schedule_and_event_configs_are_read()
    {
        var schedule = RuleTrigger.Parse("SCHEDULE", """{"at":"2030-01-31T09:00:00Z"}""");
        var @event = RuleTrigger.Parse("EVENT", """{"eventName":"drill.started"}""");

        Assert.Equal(new DateTimeOffset(2030, 1, 31, 9, 0, 0, TimeSpan.Zero), schedule.At);
        Assert.Equal("drill.started", @event.EventName);
        Assert.False(@event.IsTimed);
    }

    [Theory]
    [InlineData("CRON", """{"cron":"not a cron"}""")]
    [InlineData("CRON", """{"cron":"* * * * *","timezone":"Mars/Olympus"}""")]
    [InlineData("CRON", """{"cron":"* * * * *","misfirePolicy":"always"}""")]
    [InlineData("SCHEDULE", "{}")]
    [InlineData("HOURLY", "{}")]
    public void Unusable_config_is_a_format_error(string type, string config) =>
        Assert.Throws<FormatException>(() => RuleTrigger.Parse(type, config));

    [Fact]
    public void Event_payload_is_merged_deeply_into_the_rule_payload_and_wins_on_conflicts()
    {
        var rule = JsonNode.Parse("""{"name":"Ada","site":{"code":"N","floor":2},"tags":["a"]}""")!.AsObject();
        var @event = JsonNode.Parse("""{"site":{"code":"S"},"tags":["b"],"extra":1}""")!.AsObject();

        var merged = PayloadMerge.Merge(rule, @event);

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"name":"Ada","site":{"code":"S","floor":2},"tags":["b"],"extra":1}"""), merged));
        Assert.Equal("N", (string?)rule["site"]!["code"]);
    }

    [Fact]
    public void Missing_payloads_merge_to_the_other_one()
    {
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":1}"""), PayloadMerge.Merge(null, JsonNode.Parse("""{"a":1}""")!.AsObject())));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":1}"""), PayloadMerge.Merge(JsonNode.Parse("""{"a":1}""")!.AsObject(), null)));
        Assert.Empty(PayloadMerge.Merge(null, null));
    }
}
