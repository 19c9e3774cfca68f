using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using XNovu.Api.Triggers;

namespace XNovu.Tests.Unit.Triggers;

/// <summary>How DispatchWake turns commits into wakes of the dispatchers: one at a time, a burst into two.</summary>
public sealed class DispatchWakeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_signal_sends_one_wake()
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = 0;
        var wake = new DispatchWake(_ =>
        {
            Interlocked.Increment(ref sends);
            sent.TrySetResult();
            return Task.CompletedTask;
        }, NullLogger<DispatchWake>.Instance);

        wake.Signal();
        await sent.Task.WaitAsync(Patience);
        await Task.Delay(100);

        Assert.Equal(1, Volatile.Read(ref sends));
    }

    [Fact]
    public async Task Signals_during_a_wake_make_exactly_one_more_after_it()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sends = 0;
        var wake = new DispatchWake(async _ =>
        {
            if (Interlocked.Increment(ref sends) == 1)
            {
                first.TrySetResult();
                await release.Task;
            }
            else
            {
                second.TrySetResult();
            }
        }, NullLogger<DispatchWake>.Instance);

        wake.Signal();
        await first.Task.WaitAsync(Patience);
        // A hundred commits while the first wake is on its way: they are all woken by one wake after it.
        for (var i = 0; i < 100; i++)
        {
            wake.Signal();
        }

        release.SetResult();
        await second.Task.WaitAsync(Patience);
        await Task.Delay(100);
        Assert.Equal(2, Volatile.Read(ref sends));

        // And the wake is idle again: the next commit is woken on its own.
        wake.Signal();
        await Eventually.WaitForAsync(() => Task.FromResult(Volatile.Read(ref sends)), n => n == 3, Patience, "a third wake");
    }

    [Fact]
    public async Task A_failed_wake_is_dropped_and_the_next_signal_sends_again()
    {
        var sends = 0;
        var wake = new DispatchWake(_ => Interlocked.Increment(ref sends) == 1
            ? Task.FromException(new NpgsqlException("the database is down"))
            : Task.CompletedTask, NullLogger<DispatchWake>.Instance);

        wake.Signal();
        await Eventually.WaitForAsync(() => Task.FromResult(Volatile.Read(ref sends)), n => n == 1, Patience, "the failed wake");
        await Task.Delay(100);
        wake.Signal();
        await Eventually.WaitForAsync(() => Task.FromResult(Volatile.Read(ref sends)), n => n == 2, Patience, "the next wake");
    }
}
