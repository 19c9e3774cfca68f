using XNovu.Dispatcher.Dispatch;

namespace XNovu.Tests.Unit.Dispatch;

/// <summary>A wake-up goes to one waiting claim loop, and one that finds none waiting is kept once.</summary>
public sealed class DispatchSignalTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task One_wake_up_releases_one_waiting_loop_the_one_that_waited_longest()
    {
        var signal = new DispatchSignal();
        var first = signal.WaitAsync(Long, TimeProvider.System, CancellationToken.None);
        var second = signal.WaitAsync(Long, TimeProvider.System, CancellationToken.None);

        signal.Wake();
        await first.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        await Task.Delay(100, CancellationToken.None);
        Assert.False(second.IsCompleted);

        signal.Wake();
        await second.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
    }

    [Fact]
    public async Task A_wake_up_with_no_loop_waiting_is_kept_for_the_next_wait_only()
    {
        var signal = new DispatchSignal();
        signal.Wake();
        signal.Wake();

        var kept = signal.WaitAsync(Long, TimeProvider.System, CancellationToken.None);
        Assert.True(kept.IsCompletedSuccessfully);

        var next = signal.WaitAsync(Long, TimeProvider.System, CancellationToken.None);
        await Task.Delay(100, CancellationToken.None);
        Assert.False(next.IsCompleted);
        signal.Wake();
        await next.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
    }

    [Fact]
    public async Task A_loop_that_timed_out_leaves_the_queue_so_the_next_wake_up_reaches_a_loop_still_waiting()
    {
        var signal = new DispatchSignal();
        var shortWait = signal.WaitAsync(TimeSpan.FromMilliseconds(50), TimeProvider.System, CancellationToken.None);
        var longWait = signal.WaitAsync(Long, TimeProvider.System, CancellationToken.None);
        await shortWait.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);

        signal.Wake();

        await longWait.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
    }

    [Fact]
    public async Task Cancelling_a_wait_throws_and_does_not_swallow_the_next_wake_up()
    {
        var signal = new DispatchSignal();
        using var cancel = new CancellationTokenSource();
        var cancelled = signal.WaitAsync(Long, TimeProvider.System, cancel.Token);
        var waiting = signal.WaitAsync(Long, TimeProvider.System, CancellationToken.None);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        signal.Wake();

        await waiting.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
    }
}
