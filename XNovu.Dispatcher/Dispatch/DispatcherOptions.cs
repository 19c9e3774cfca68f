using System.ComponentModel.DataAnnotations;

namespace XNovu.Dispatcher.Dispatch;

public sealed class DispatcherOptions
{
    public const string SectionName = "XNovu:Dispatcher";

    /// <summary>
    /// Deliveries claimed per round trip, sent as one bulk call: at most 100, Novu's bulk limit, so that a
    /// claim is exactly one call and a taken-over claim re-sends the very same call.
    /// </summary>
    [Range(1, 100)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Claim loops per replica; SKIP LOCKED lets them and other replicas share the queue safely.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 2;

    /// <summary>Single triggers in flight at once per claim loop, when a claim is smaller than a bulk call.</summary>
    [Range(1, 256)]
    public int MaxParallelSends { get; set; } = 16;

    /// <summary>
    /// Whether a claim loop records a batch's outcome while it claims and processes the next (one recording in
    /// flight per loop). Off: claim, process and record strictly one after another.
    /// </summary>
    public bool OverlapCompletion { get; set; } = true;

    /// <summary>
    /// How long a claim loop waits for one enterprise's part of a batch before it lets that part finish on its own
    /// and claims again: a tenant whose templates are slow then holds only its own deliveries, never the loop that
    /// brings everyone else's. The part's outcome is recorded when it ends, under the same lease.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan SlowPartAfter { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Parts finishing on their own at once in this replica; past it, a loop waits for its whole batch again.</summary>
    [Range(1, 1024)]
    public int MaxSlowParts { get; set; } = 16;

    /// <summary>
    /// How long a replica told to stop (a rolling deploy's SIGTERM) lets each loop finish the batch it holds: send it
    /// and record the outcome, claiming nothing more (0 to 5 minutes; keep it under the host's shutdown timeout and
    /// the pod's grace period, 30 s by default). What is still unfinished then is cancelled and released
    /// (<c>notify.release_deliveries</c>): the next claim of any replica takes it over, without waiting for its lease.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ShutdownDrain { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a claim is exclusive; after it, another replica takes the work over.</summary>
    [Range(5, 3600)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>
    /// Attempts per delivery before a retryable failure becomes FAILED. Eight spread the retries over one to two
    /// minutes, so a Novu outage of that length costs latency, not deliveries.
    /// </summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The first retry's delay; each later one doubles, with jitter, up to <see cref="MaxBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a Novu environment's deliveries are held after Novu refused XNovu's credentials (401, 403): they
    /// stay PENDING (no attempt spent) and are tried again after this, or at once when the credentials change.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CredentialsPause { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The safety net: how often an idle dispatcher looks for work even without a wake-up.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Claims of one delivery that may expire unfinished (its replica crashed or hung while holding it) before
    /// the delivery is FAILED as poison, so that nothing circles forever.
    /// </summary>
    [Range(1, 100)]
    public int MaxUnfinishedClaims { get; set; } = 3;

    /// <summary>How often this replica tells the database it is live; it counts as gone after three missed beats.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the claim's floor (the lowest delivery that may still be open, below which the claim names no day
    /// partition) is raised, by whichever replica's heartbeat comes first. A delivery reopened below it lowers it at
    /// once; one it missed anyway is found at the next raise.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FloorInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A claim loop restarted after a fault waits this long first, doubling per consecutive fault up to <see cref="MaxRestartBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RestartBackoff { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxRestartBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Liveness fails when a claim loop has spent longer than this on one round (claim, render, send, record):
    /// the process can no longer make progress, and an orchestrator should restart it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>This replica's name on its leases; unique per process by default.</summary>
    public string WorkerId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>The original's NOVU_SUBSCRIBER_ID: the recipient of a notification that names none.</summary>
    public string? DefaultSubscriberId { get; set; }
}
