using System.Text.Json.Nodes;
using XNovu.Console;

namespace XNovu.Tests.Unit.Console;

public sealed class ConsoleUnitTests
{
    [Fact]
    public void Cron_preview_gives_the_next_five_fire_times_in_the_rules_time_zone_across_a_clock_change()
    {
        // 2026-03-28 is the Saturday before Paris moves from UTC+1 to UTC+2.
        var from = new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero);

        var next = CronPreview.Next("0 9 * * *", "Europe/Paris", from, 5, out var error);

        Assert.Null(error);
        Assert.Equal(5, next.Count);
        Assert.All(next, at => Assert.Equal(9, at.Hour));
        Assert.Equal(TimeSpan.FromHours(1), next[0].Offset);
        Assert.Equal(TimeSpan.FromHours(2), next[2].Offset);
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 8, 0, 0, TimeSpan.Zero), next[0].ToUniversalTime());
    }

    [Theory]
    [InlineData("0 9 * *", "UTC", "5 fields")]
    [InlineData("0 9 * * *", "Mars/Olympus", "not a known IANA time zone")]
    [InlineData("0 99 * * *", "UTC", "Not a valid cron expression")]
    public void Cron_preview_explains_a_bad_expression_or_zone(string cron, string zone, string expected)
    {
        var next = CronPreview.Next(cron, zone, DateTimeOffset.UnixEpoch, 5, out var error);

        Assert.Empty(next);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_json_that_does_not_parse_is_reported_at_its_line_and_column()
    {
        var parsed = SampleData.Parse("{\n  \"name\": \"Ada\",\n  oops\n}", "The sample payload", out var error);

        Assert.Null(parsed);
        Assert.StartsWith("The sample payload does not parse at line 3, column 3", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_payload_comes_from_the_variables_description_before_the_payload_schema()
    {
        var variables = JsonNode.Parse("""{"name": {"example": "Grace"}, "city": "the customer's city"}""");
        var schema = JsonNode.Parse("""{"type": "object", "properties": {"order": {"type": "string"}}}""");

        var sample = JsonNode.Parse(SampleData.Payload(variables, schema))!;

        Assert.Equal("Grace", (string?)sample["name"]);
        Assert.Equal("<the customer's city>", (string?)sample["city"]);
        Assert.Null(sample["order"]);
    }

    [Fact]
    public void Sample_payload_follows_the_payload_schema_when_the_template_describes_nothing()
    {
        var schema = JsonNode.Parse("""
            {"type": "object", "properties": {
                "order": {"type": "string", "example": "A-1"}, "count": {"type": "integer"}, "gift": {"type": "boolean"},
                "lines": {"type": "array"}, "address": {"type": "object", "properties": {"city": {"type": "string", "default": "Paris"}}}}}
            """);

        var sample = JsonNode.Parse(SampleData.Payload(null, schema))!;

        Assert.Equal("A-1", (string?)sample["order"]);
        Assert.Equal(1, (int)sample["count"]!);
        Assert.True((bool)sample["gift"]!);
        Assert.Empty(sample["lines"]!.AsArray());
        Assert.Equal("Paris", (string?)sample["address"]!["city"]);
    }
}
