using Npgsql;

namespace XNovu.Core.Persistence;

/// <summary>
/// Why a shared write (a batch of triggers or of Novu webhooks, many tenants in one transaction) failed, from a fixed
/// set: a metric tag and a log field, never a tenant's value. Each batcher then writes its items alone.
/// </summary>
public static class BatchFailure
{
    public static string Reason(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } => "lock_timeout",
        PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected } => "deadlock",
        PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } or TimeoutException => "timeout",
        NpgsqlException { InnerException: TimeoutException } => "timeout",
        NpgsqlException => "database",
        _ => "error",
    };
}
