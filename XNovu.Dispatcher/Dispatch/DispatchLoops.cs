namespace XNovu.Dispatcher.Dispatch;

/// <summary>
/// What the claim loops of this replica are doing, for the health checks and the heartbeat: how many run,
/// and since when each is busy with its current round (null while it waits for work or for a restart).
/// </summary>
public sealed class DispatchLoops(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, DateTimeOffset?> _running = [];

    public int Running
    {
        get
        {
            lock (_gate)
            {
                return _running.Count;
            }
        }
    }

    public void Started(int loop) => Set(loop, null, add: true);

    public void Stopped(int loop)
    {
        lock (_gate)
        {
            _running.Remove(loop);
        }
    }

    public void Busy(int loop) => Set(loop, time.GetUtcNow(), add: false);

    public void Idle(int loop) => Set(loop, null, add: false);

    /// <summary>The longest a running loop has been busy with one round; zero when every loop waits.</summary>
    public TimeSpan LongestRound()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            return _running.Values.OfType<DateTimeOffset>().Select(since => now - since).DefaultIfEmpty(TimeSpan.Zero).Max();
        }
    }

    private void Set(int loop, DateTimeOffset? busySince, bool add)
    {
        lock (_gate)
        {
            if (add || _running.ContainsKey(loop))
            {
                _running[loop] = busySince;
            }
        }
    }
}
