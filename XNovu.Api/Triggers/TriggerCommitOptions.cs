namespace XNovu.Api.Triggers;

/// <summary>
/// Bound from <c>XNovu:Triggers:Commit</c>: how single triggers that arrive together share one transaction
/// (commit coalescing, see <see cref="TriggerCommitQueue"/>). Validated at start.
/// </summary>
public sealed class TriggerCommitOptions
{
    public const string SectionName = "XNovu:Triggers:Commit";

    /// <summary>Off: every single trigger is its own transaction, as before.</summary>
    public bool Coalesce { get; set; } = true;

    /// <summary>The most triggers one commit carries (1 to 1,000).</summary>
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>
    /// How long a writer that holds fewer than <see cref="MaxBatchSize"/> triggers waits for more before it
    /// commits, while another batch is committing (0 to 10 ms). With nothing committing it commits at once, so a
    /// trigger on a quiet system waits for nothing; under load it is answered at most this much later than alone.
    /// </summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Batches in flight at once (1 to 16): while one commits, the next gathers. Two keep the database's WAL
    /// flush and the next batch's insert overlapping; more only add connections.
    /// </summary>
    public int Writers { get; set; } = 2;

    /// <summary>
    /// How long a coalesced single trigger's workflow and codes are kept to check the next one without a lookup
    /// (<see cref="TriggerLookupCache"/>; 0 to 10 minutes, 0 turns it off). The shared commit re-checks them, so
    /// the lifetime bounds memory, not staleness.
    /// </summary>
    public TimeSpan LookupCacheTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The longest any statement of a shared commit waits on a lock (PostgreSQL's <c>lock_timeout</c>, 1 ms to
    /// 5 s). A lock held elsewhere on one enterprise's rows (an erase, an operator's open transaction) then costs
    /// the other enterprises of the batch at most this long: that enterprise's triggers are rolled back to their
    /// savepoint and stored alone, where they wait on their own, while the others commit.
    /// </summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How many triggers of one enterprise that a shared commit sent back are stored alone at once (1 to 64); the
    /// others wait in memory, so an enterprise whose rows are locked holds at most this many pooled connections.
    /// </summary>
    public int MaxAlonePerEnterprise { get; set; } = 4;

    /// <summary>
    /// On (the default): a shared commit does not NOTIFY the dispatchers in its own transaction, where the commit
    /// would hold PostgreSQL's one notification-queue lock until its flush; <see cref="DispatchWake"/> wakes them
    /// after it. Off: the deliveries' trigger notifies inside the commit, as before (for comparison, or for a
    /// database whose functions predate the setting, where it is ignored anyway).
    /// </summary>
    public bool WakeAfterCommit { get; set; } = true;
}
