using System.Text.Json;
using XNovu.Dispatcher.DeliveryPoll;
using XNovu.NovuClient;

namespace XNovu.Tests.Unit.Webhooks;

/// <summary>How a message Novu lists becomes timeline events (issue 28, the poll for environments without webhooks).</summary>
public sealed class PolledMessagesTests
{
    private static readonly PolledDelivery Own = new(7, Guid.NewGuid(), OwnEnvironment: true, "tx-1", 1);
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static NovuMessage Read(string json) => JsonSerializer.Deserialize<NovuMessage>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    [Fact]
    public void A_delivered_message_is_sent_then_delivered_at_its_first_delivery_date_in_either_form()
    {
        var listed = Read("""{"_id":"m1","channel":"email","status":"sent","deliveredAt":["2026-12-01T10:00:02Z","2026-12-01T10:05:00Z"],"createdAt":"2026-12-01T10:00:00Z"}""");
        var hooked = Read("""{"_id":"m1","channel":"email","status":"sent","deliveredAt":"2026-12-01T10:00:02Z","createdAt":"2026-12-01T10:00:00Z"}""");

        var events = PolledMessages.Events(listed, Own).ToList();

        Assert.Equal(["sent", "delivered"], events.Select(e => e.Event));
        Assert.Equal(Created, events[0].OccurredAt);
        Assert.Equal(Created.AddSeconds(2), events[1].OccurredAt);
        Assert.Equal(events, PolledMessages.Events(hooked, Own).ToList());
        Assert.All(events, e => Assert.Equal(Own.EnterpriseId, e.Environment));
    }

    [Fact]
    public void A_failed_message_is_failed_with_the_providers_error_and_nothing_else()
    {
        var message = Read("""{"_id":"m2","channel":"email","status":"error","errorId":"mail_bounce","errorText":"550","updatedAt":"2026-12-01T10:00:01Z"}""");

        var events = PolledMessages.Events(message, Own with { OwnEnvironment = false }).ToList();

        var failed = Assert.Single(events);
        Assert.Equal("failed", failed.Event);
        Assert.Equal(("mail_bounce", "550"), (failed.ErrorId, failed.ErrorText));
        Assert.Null(failed.Environment);
    }

    [Fact]
    public void Seen_and_read_follow_at_their_dates_and_a_warning_says_nothing()
    {
        var read = Read("""{"_id":"m3","channel":"in_app","status":"sent","seen":true,"read":true,"lastSeenDate":"2026-12-01T11:00:00Z","lastReadDate":"2026-12-01T12:00:00Z","createdAt":"2026-12-01T10:00:00Z"}""");
        var warning = Read("""{"_id":"m4","channel":"sms","status":"warning","createdAt":"2026-12-01T10:00:00Z"}""");

        Assert.Equal(["sent", "seen", "read"], PolledMessages.Events(read, Own).Select(e => e.Event));
        Assert.Equal(Created.AddHours(2), PolledMessages.Events(read, Own).Last().OccurredAt);
        Assert.Empty(PolledMessages.Events(warning, Own));
    }
}
