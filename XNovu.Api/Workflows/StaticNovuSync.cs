using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.Workflows;

/// <summary>The Novu sync state of the static workflows, which every enterprise shares (rows without an enterprise).</summary>
internal static class StaticNovuSync
{
    public static Task<IReadOnlyDictionary<string, NovuSyncResponse>> ReadAsync(XNovuDatabase database, Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyDictionary<string, NovuSyncResponse>>(enterpriseId, async session =>
        {
            var rows = await session.Connection.QueryAsync<(string Key, string Status, string? NovuWorkflowId, DateTime? SyncedAt, string? Error)>(
                """
                SELECT workflow_key, status, novu_workflow_id, synced_at, error
                FROM notify.novu_workflow_sync WHERE enterprise_id IS NULL
                """,
                transaction: session.Transaction);
            return rows.ToDictionary(
                r => r.Key,
                r => NovuSyncResponse.Of(null, r.Key, r.Status, r.NovuWorkflowId, r.SyncedAt, r.Error),
                StringComparer.Ordinal);
        }, cancellationToken);
}
