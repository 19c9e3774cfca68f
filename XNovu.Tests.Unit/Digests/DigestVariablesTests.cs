using System.Text.Json;
using XNovu.Core.Digests;

namespace XNovu.Tests.Unit.Digests;

public sealed class DigestVariablesTests
{
    [Fact]
    public void Sample_payloads_become_a_digests_events_in_order_a_minute_apart_with_their_count()
    {
        var now = new DateTimeOffset(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);
        var payloads = new[] { """{"name":"a"}""", """{"name":"b"}""", """{"name":"c"}""" }.Select(p => JsonDocument.Parse(p).RootElement).ToList();

        var digest = DigestVariables.Sample(payloads, now);

        Assert.Equal(3, digest.GetProperty("eventCount").GetInt32());
        var events = digest.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["a", "b", "c"], events.Select(e => e.GetProperty("payload").GetProperty("name").GetString()));
        Assert.Equal(["sample-1", "sample-2", "sample-3"], events.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(now, DateTimeOffset.Parse(events[2].GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("[1]")]
    [InlineData("[{},\"x\"]")]
    public void Sample_events_that_are_not_one_to_twenty_objects_are_refused(string json) =>
        Assert.NotNull(DigestVariables.SampleProblem(JsonDocument.Parse(json).RootElement));

    [Fact]
    public void Twenty_sample_events_pass_and_twenty_one_do_not()
    {
        Assert.Null(DigestVariables.SampleProblem(JsonDocument.Parse("[" + string.Join(',', Enumerable.Repeat("{}", 20)) + "]").RootElement));
        Assert.NotNull(DigestVariables.SampleProblem(JsonDocument.Parse("[" + string.Join(',', Enumerable.Repeat("{}", 21)) + "]").RootElement));
    }
}
