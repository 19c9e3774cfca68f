namespace XNovu.Dispatcher.Rules;

/// <summary>What this replica's scheduler last did, for its heartbeat.</summary>
public sealed class RuleEngineState(TimeProvider time)
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public DateTimeOffset? LastReloadAt { get; private set; }

    public int RulesScheduled { get; private set; }

    /// <summary>Completes at the first reload: no heartbeat before the scheduler has rules.</summary>
    public Task Started => _started.Task;

    /// <summary>Completes at the next reload, so that the heartbeat reports it at once.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public void Reloaded(DateTimeOffset at, int rules)
    {
        LastReloadAt = at;
        RulesScheduled = rules;
        _started.TrySetResult();
        Interlocked.Exchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
