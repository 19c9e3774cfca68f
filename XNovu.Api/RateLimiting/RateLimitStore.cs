using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.RateLimiting;

/// <summary>The SQL of the admin's per-enterprise rate overrides, each in that enterprise's scope.</summary>
public sealed class RateLimitStore(XNovuDatabase database)
{
    public Task<StoredRateLimit?> ReadOverrideAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<StoredRateLimit?>(
            """
            SELECT triggers_per_second AS TriggersPerSecond, writes_per_second AS WritesPerSecond, reads_per_second AS ReadsPerSecond
            FROM notify.enterprise_rate_limit WHERE enterprise_id = @enterpriseId
            """,
            new { enterpriseId }, session.Transaction), cancellationToken);

    /// <summary>The stored rates; null when the enterprise does not exist.</summary>
    public Task<StoredRateLimit?> WriteOverrideAsync(Guid enterpriseId, StoredRateLimit rates, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<StoredRateLimit?>(
            """
            INSERT INTO notify.enterprise_rate_limit (enterprise_id, triggers_per_second, writes_per_second, reads_per_second)
            SELECT @id, @triggers, @writes, @reads WHERE EXISTS (SELECT 1 FROM notify.enterprise WHERE id = @id)
            ON CONFLICT (enterprise_id) DO UPDATE SET triggers_per_second = excluded.triggers_per_second,
                writes_per_second = excluded.writes_per_second, reads_per_second = excluded.reads_per_second, updated_at = now()
            RETURNING triggers_per_second AS TriggersPerSecond, writes_per_second AS WritesPerSecond, reads_per_second AS ReadsPerSecond
            """,
            new { id = enterpriseId, triggers = rates.TriggersPerSecond, writes = rates.WritesPerSecond, reads = rates.ReadsPerSecond },
            session.Transaction), cancellationToken);

    public Task<int> DeleteOverrideAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteAsync(
            "DELETE FROM notify.enterprise_rate_limit WHERE enterprise_id = @id", new { id = enterpriseId }, session.Transaction), cancellationToken);
}
