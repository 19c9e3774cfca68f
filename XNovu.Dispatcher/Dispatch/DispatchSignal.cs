namespace XNovu.Dispatcher.Dispatch;

/// <summary>
/// Hands each wake-up to one waiting claim loop, the one that has waited longest (an auto-reset event, not a
/// broadcast). A wake-up that finds no loop waiting is kept, once, for the next loop that would wait.
/// </summary>
/// <remarks>
/// Every commit of new deliveries sends a NOTIFY. As a broadcast, each one woke every idle loop of every
/// replica, and all but one claimed nothing: in a benchmark run of 10,000 single triggers, 2,323 claims for
/// 1,040 non-empty batches, each empty one followed by a next-due query. A loop whose claim comes back full
/// wakes the next one itself (<see cref="DispatchWorker"/>), so a backlog still fans out to every loop.
/// Hand-written: <see cref="SemaphoreSlim"/> counts every release, where a burst of NOTIFYs must wake one
/// loop, not queue a claim per NOTIFY; and AsyncAutoResetEvent is not in the BCL.
/// </remarks>
public sealed class DispatchSignal
{
    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = [];
    private bool _pending;

    public void Wake()
    {
        TaskCompletionSource? next;
        lock (_gate)
        {
            next = _waiters.First?.Value;
            if (next is null)
            {
                _pending = true;
                return;
            }

            _waiters.RemoveFirst();
        }

        next.TrySetResult();
    }

    /// <summary>
    /// Completes at the next <see cref="Wake"/> handed to this caller, at once if one was kept for it, or after
    /// <paramref name="timeout"/>, whichever comes first.
    /// </summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<TaskCompletionSource> node;
        lock (_gate)
        {
            if (_pending)
            {
                _pending = false;
                return;
            }

            node = _waiters.AddLast(waiter);
        }

        using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sleep = Task.Delay(timeout, time, delay.Token);
        var first = await Task.WhenAny(waiter.Task, sleep);
        await delay.CancelAsync();
        if (first != waiter.Task)
        {
            lock (_gate)
            {
                // Still queued: leave. Already dequeued by a Wake racing the timeout: this caller claims anyway.
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }
}
