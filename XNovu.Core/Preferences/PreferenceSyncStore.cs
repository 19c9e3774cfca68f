using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Core.Preferences;

/// <summary>One subscriber preference due for Novu, as a dispatcher claimed it. <see cref="Channels"/> null: none left.</summary>
public sealed record PreferenceSync(Guid EnterpriseId, string SubscriberId, string WorkflowKey, string? Channels, bool OwnWorkflow, int Attempts)
{
    /// <summary>The global preference's key, as <c>notify.subscriber_preference</c> stores it.</summary>
    public const string GlobalKey = "";

    public bool IsGlobal => WorkflowKey.Length == 0;
}

/// <summary>
/// The queue of subscriber preferences to push to Novu (<c>notify.preference_novu_sync</c>, 0050): the enqueue the
/// API runs in the transaction that writes the choices, and the dispatchers' claim and finish, in one place.
/// </summary>
public sealed class PreferenceSyncStore(XNovuDatabase database)
{
    /// <summary>Queues the given keys (a key queued already becomes due now, its attempts reset).</summary>
    public static Task<int> EnqueueAsync(TenantSession session, string subscriberId, IReadOnlyList<string> workflowKeys) =>
        session.Connection.ExecuteAsync(
            """
            INSERT INTO notify.preference_novu_sync (enterprise_id, subscriber_id, workflow_key)
            SELECT @enterpriseId, @subscriberId, k FROM unnest(@keys) AS k
            ON CONFLICT (enterprise_id, subscriber_id, workflow_key) DO UPDATE
            SET attempts = 0, next_attempt_at = now(), last_error = NULL, queued_at = now()
            """,
            new { enterpriseId = session.EnterpriseId, subscriberId, keys = workflowKeys.Distinct(StringComparer.Ordinal).ToArray() },
            session.Transaction);

    public async Task<IReadOnlyList<PreferenceSync>> ClaimAsync(int limit, int leaseSeconds, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return (await connection.QueryAsync<PreferenceSync>(new CommandDefinition(
            """
            SELECT enterprise_id AS EnterpriseId, subscriber_id AS SubscriberId, workflow_key AS WorkflowKey, channels,
                   own_workflow AS OwnWorkflow, attempts
            FROM notify.claim_preference_syncs(@limit, @leaseSeconds)
            """,
            new { limit, leaseSeconds },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Done (<paramref name="error"/> null: the row goes), or due again at <paramref name="retryAt"/>.</summary>
    public async Task FinishAsync(IEnumerable<PreferenceSync> syncs, string? error, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        foreach (var sync in syncs)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT notify.finish_preference_sync(@EnterpriseId, @SubscriberId, @WorkflowKey, @Attempts, @error, @retryAt)",
                new { sync.EnterpriseId, sync.SubscriberId, sync.WorkflowKey, sync.Attempts, error, retryAt },
                cancellationToken: cancellationToken));
        }
    }
}
