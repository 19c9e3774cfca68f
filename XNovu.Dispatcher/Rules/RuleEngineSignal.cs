namespace XNovu.Dispatcher.Rules;

/// <summary>
/// Wakes the scheduler early, and remembers whether the wake-up asks for a reload (a rule changed, or an
/// operator asked) so that a burst of changes costs one reload.
/// </summary>
public sealed class RuleEngineSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reloadRequested = 1;

    public void RequestReload()
    {
        Volatile.Write(ref _reloadRequested, 1);
        Wake();
    }

    /// <summary>Answers whether a reload was requested since the last call, and clears the request.</summary>
    public bool TakeReloadRequest() => Interlocked.Exchange(ref _reloadRequested, 0) == 1;

    public void Wake() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next <see cref="Wake"/> or after <paramref name="timeout"/>, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref _next).Task;
        if (timeout <= TimeSpan.Zero || Volatile.Read(ref _reloadRequested) == 1)
        {
            return;
        }

        using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(next, Task.Delay(timeout, time, delay.Token));
        await delay.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }
}
