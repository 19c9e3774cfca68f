namespace XNovu.Dispatcher.Dispatch;

/// <summary>Wakes every waiting claim loop at once (a broadcast, unlike a semaphore).</summary>
public sealed class DispatchSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Wake() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next <see cref="Wake"/> or after <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref _next).Task;
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sleep = Task.Delay(timeout, time, delay.Token);
        await Task.WhenAny(next, sleep);
        await delay.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }
}
