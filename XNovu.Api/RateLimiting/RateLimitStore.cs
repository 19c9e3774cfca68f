using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.RateLimiting;

/// <summary>The SQL of the admin's per-enterprise trigger rate overrides, each in that enterprise's scope.</summary>
public sealed class RateLimitStore(XNovuDatabase database)
{
    public Task<int?> ReadOverrideAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<int?>(
            "SELECT triggers_per_second FROM notify.enterprise_rate_limit WHERE enterprise_id = @enterpriseId",
            new { enterpriseId }, session.Transaction), cancellationToken);

    /// <summary>The stored rate; null when the enterprise does not exist.</summary>
    public Task<int?> WriteOverrideAsync(Guid enterpriseId, int perSecond, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<int?>(
            """
            INSERT INTO notify.enterprise_rate_limit (enterprise_id, triggers_per_second)
            SELECT @id, @perSecond WHERE EXISTS (SELECT 1 FROM notify.enterprise WHERE id = @id)
            ON CONFLICT (enterprise_id) DO UPDATE SET triggers_per_second = excluded.triggers_per_second, updated_at = now()
            RETURNING triggers_per_second
            """,
            new { id = enterpriseId, perSecond },
            session.Transaction), cancellationToken);

    public Task<int> DeleteOverrideAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteAsync(
            "DELETE FROM notify.enterprise_rate_limit WHERE enterprise_id = @id", new { id = enterpriseId }, session.Transaction), cancellationToken);
}
