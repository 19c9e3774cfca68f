using XNovu.Dispatcher.Webhooks;

namespace XNovu.Tests.Unit.Webhooks;

/// <summary>Issue 28: the published schedule, 410, and Retry-After on 429 and 503.</summary>
public sealed class WebhookRetryScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 21, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Cap = TimeSpan.FromHours(10);

    [Fact]
    public void The_published_schedule_is_at_once_5s_5min_30min_2h_5h_10h_10h()
    {
        Assert.Equal(
            [TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
             TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10)],
            new WebhookOptions().Schedule);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 300)]
    [InlineData(3, 1800)]
    [InlineData(7, 36000)]
    public void A_failed_attempt_is_tried_again_at_the_next_step(int attempt, int seconds)
    {
        var (outcome, at) = WebhookRetrySchedule.Decide(attempt, 500, null, WebhookOptions.PublishedSchedule, Cap, Now);

        Assert.Equal(WebhookRetrySchedule.Retry, outcome);
        Assert.Equal(Now.AddSeconds(seconds), at);
    }

    [Fact]
    public void After_the_last_step_the_message_has_failed()
    {
        Assert.Equal((WebhookRetrySchedule.Failed, null), WebhookRetrySchedule.Decide(8, null, null, WebhookOptions.PublishedSchedule, Cap, Now));
    }

    [Fact]
    public void Success_and_gone_end_at_once()
    {
        Assert.Equal((WebhookRetrySchedule.Delivered, null), WebhookRetrySchedule.Decide(1, 204, null, WebhookOptions.PublishedSchedule, Cap, Now));
        Assert.Equal((WebhookRetrySchedule.Gone, null), WebhookRetrySchedule.Decide(1, 410, null, WebhookOptions.PublishedSchedule, Cap, Now));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void Retry_after_is_honoured_on_429_and_503_up_to_the_cap(int status)
    {
        Assert.Equal(Now.AddMinutes(42), WebhookRetrySchedule.Decide(1, status, TimeSpan.FromMinutes(42), WebhookOptions.PublishedSchedule, Cap, Now).RetryAt);
        Assert.Equal(Now + Cap, WebhookRetrySchedule.Decide(1, status, TimeSpan.FromDays(3), WebhookOptions.PublishedSchedule, Cap, Now).RetryAt);
        // On any other status it is the schedule's.
        Assert.Equal(Now.AddSeconds(5), WebhookRetrySchedule.Decide(1, 500, TimeSpan.FromMinutes(42), WebhookOptions.PublishedSchedule, Cap, Now).RetryAt);
    }
}
