using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Dispatcher.NovuSync;

/// <summary>A sync claimed from <c>notify.novu_workflow_sync</c>: a null enterprise is a static workflow.</summary>
public sealed record SyncClaim(Guid? EnterpriseId, string WorkflowKey, long Generation, int Attempts);

/// <summary>
/// The sync's statements: claims, outcomes and the reconciler's turn go through the SECURITY DEFINER functions
/// of <c>0009_novu_workflow_sync.sql</c>; whether a write is still to sync is read in the enterprise's scope (the
/// workflow row itself through <see cref="XNovu.Core.Workflows.WorkflowResolver.FindOwnAsync"/>).
/// </summary>
public sealed class NovuSyncStore(XNovuDatabase database)
{
    public async Task RegisterStaticAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT notify.register_static_novu_workflows(@keys)", new { keys = keys.ToArray() }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<SyncClaim>> ClaimAsync(int limit, int leaseSeconds, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        var rows = await connection.QueryAsync<SyncClaim>(new CommandDefinition(
            """
            SELECT enterprise_id AS EnterpriseId, workflow_key AS WorkflowKey, generation, attempts
            FROM notify.claim_novu_syncs(@limit, @leaseSeconds)
            """,
            new { limit, leaseSeconds }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task RecordAsync(SyncClaim claim, SyncResult result, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT notify.record_novu_sync(@enterpriseId, @workflowKey, @generation, @succeeded, @novuWorkflowId, @error, @retryAt)",
            new
            {
                enterpriseId = claim.EnterpriseId,
                workflowKey = claim.WorkflowKey,
                generation = claim.Generation,
                succeeded = result.Succeeded,
                novuWorkflowId = result.NovuWorkflowId,
                error = result.Error,
                retryAt,
            },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> BeginReconcileAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT notify.begin_novu_reconcile(@seconds)", new { seconds = period.TotalSeconds }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<SyncClaim>> SyncedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        var rows = await connection.QueryAsync<SyncClaim>(new CommandDefinition(
            "SELECT enterprise_id AS EnterpriseId, workflow_key AS WorkflowKey, generation, 0 AS attempts FROM notify.synced_novu_workflows()",
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Whether a write to the workflow is not yet in Novu, read in the enterprise's scope.</summary>
    public Task<bool> IsSyncPendingAsync(Guid enterpriseId, Guid? owner, string workflowKey, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteScalarAsync<bool>(
            """
            SELECT coalesce((SELECT status <> 'synced' FROM notify.novu_workflow_sync
                             WHERE enterprise_id IS NOT DISTINCT FROM @owner AND workflow_key = @workflowKey), false)
            """,
            new { owner, workflowKey }, session.Transaction), cancellationToken);
}
