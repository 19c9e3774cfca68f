using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.Digests;

/// <summary>The SQL of workflows' digest settings (<c>notify.workflow_digest</c>), under the enterprise's row-level security.</summary>
internal sealed class DigestSettingsStore(XNovuDatabase database)
{
    public Task<(string Settings, DateTime UpdatedAt)?> GetAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<(string Settings, DateTime UpdatedAt)?>(
            "SELECT settings::text, updated_at FROM notify.workflow_digest WHERE workflow_key = @workflowKey", new { workflowKey }, session.Transaction), cancellationToken);

    public Task<DateTime> PutAsync(Guid enterpriseId, string workflowKey, string settings, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteScalarAsync<DateTime>(
            """
            INSERT INTO notify.workflow_digest (enterprise_id, workflow_key, settings) VALUES (@enterpriseId, @workflowKey, @settings::jsonb)
            ON CONFLICT (enterprise_id, workflow_key) DO UPDATE SET settings = excluded.settings, updated_at = now()
            RETURNING updated_at
            """,
            new { enterpriseId, workflowKey, settings }, session.Transaction), cancellationToken);

    public Task<bool> DeleteAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session => await session.Connection.ExecuteAsync(
            "DELETE FROM notify.workflow_digest WHERE workflow_key = @workflowKey", new { workflowKey }, session.Transaction) > 0, cancellationToken);
}
