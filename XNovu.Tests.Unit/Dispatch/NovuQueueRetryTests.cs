using XNovu.Core.Preferences;
using XNovu.Dispatcher.Queues;

namespace XNovu.Tests.Unit.Dispatch;

/// <summary>When a Novu queue's failed call is tried again (the preference push and the offboarding removals share it).</summary>
public sealed class NovuQueueRetryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_failed_call_waits_two_to_the_attempts_seconds_up_to_the_maximum()
    {
        Assert.Equal(Now.AddSeconds(2), NovuQueueWorker<PreferenceSync>.RetryAt(Now, 1, TimeSpan.FromMinutes(10), null));
        Assert.Equal(Now.AddSeconds(64), NovuQueueWorker<PreferenceSync>.RetryAt(Now, 6, TimeSpan.FromMinutes(10), null));
        Assert.Equal(Now.AddMinutes(10), NovuQueueWorker<PreferenceSync>.RetryAt(Now, 40, TimeSpan.FromMinutes(10), null));
    }

    [Fact]
    public void Novus_Retry_After_wins_when_it_is_later_than_the_backoff()
    {
        Assert.Equal(Now.AddSeconds(30), NovuQueueWorker<PreferenceSync>.RetryAt(Now, 1, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30)));
        Assert.Equal(Now.AddSeconds(64), NovuQueueWorker<PreferenceSync>.RetryAt(Now, 6, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1)));
    }
}
