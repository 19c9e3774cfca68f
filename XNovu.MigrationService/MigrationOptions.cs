using System.ComponentModel.DataAnnotations;

namespace XNovu.MigrationService;

/// <summary>
/// How the migrator waits for locks (docs/operations.md, "Migrations without downtime"). A statement that wants a
/// lock conflicting with the services' reads or writes queues, and while it queues every later reader or writer of
/// that table queues behind it: a short <c>lock_timeout</c> turns a long wait into a failed attempt, retried after a
/// pause in which the traffic flows.
/// </summary>
public sealed class MigrationOptions
{
    public const string SectionName = "XNovu:Migrations";

    /// <summary>
    /// The <c>lock_timeout</c> of every statement but the <c>CONCURRENTLY</c> ones: the longest the services' calls
    /// on a table can wait behind a migration that has not yet got its lock.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The <c>lock_timeout</c> of a <c>CREATE</c> or <c>DROP INDEX CONCURRENTLY</c>. Their waits (for the transactions
    /// already running on the table) block no reader or writer, and a timeout late in a build throws the build away,
    /// so it is long; it still bounds a wait behind a transaction left open.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ConcurrentLockTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a transactional script keeps asking for its tables' locks with <c>NOWAIT</c> (refused at once when
    /// the table is busy, so nobody queues behind the ask), a few milliseconds apart, before it asks the plain way,
    /// under <see cref="LockTimeout"/>. Zero asks the plain way at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:30:00")]
    public TimeSpan LockNowaitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Attempts of one script whose lock timed out, before the migration fails.</summary>
    [Range(1, 1000)]
    public int LockAttempts { get; set; } = 30;

    /// <summary>The pause after the first timed-out attempt, doubled after each next one up to 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan LockRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Applies the numbered scripts only up to and including the one whose name starts with this
    /// (<c>0028</c>, <c>0028_api_key_expiry</c>). Unset in a deployment; set to rehearse an upgrade from an earlier
    /// schema (the <c>migration-under-load</c> benchmark). The function files are applied either way.
    /// </summary>
    public string? Through { get; set; }

    /// <summary>The pause before attempt <paramref name="attempt"/> + 1.</summary>
    public TimeSpan RetryDelay(int attempt) =>
        TimeSpan.FromTicks(Math.Min(LockRetryDelay.Ticks * (1L << Math.Min(attempt - 1, 16)), TimeSpan.FromSeconds(30).Ticks));
}
