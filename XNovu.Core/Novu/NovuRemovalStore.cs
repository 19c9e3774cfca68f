using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Core.Novu;

/// <summary>One thing to remove from one Novu environment, as a dispatcher claimed it.</summary>
public sealed record NovuRemoval(long Id, Guid OwnerEnterprise, string Kind, string ItemKey, string? ApiUrl, string? SecretKey, int Attempts)
{
    public const string Subscriber = "subscriber";
    public const string Workflow = "workflow";

    /// <summary>The id Novu knows the item by: an enterprise's workflow or subscriber, never a static workflow.</summary>
    public string NovuId => Kind == Workflow
        ? NovuNames.WorkflowId(OwnerEnterprise, ItemKey)
        : NovuNames.SubscriberId(OwnerEnterprise, ItemKey);
}

/// <summary>
/// The queue of removals from Novu (<c>notify.novu_removal</c>, 0027), its enqueue, claim and finish in one place.
/// The API queues in the transaction of a deletion or an erasure, in the enterprise's scope, for the shared
/// environment and the enterprise's own if it has one (a 404 there is a confirmation, so queuing for both costs
/// nothing); the dispatchers claim and finish across enterprises through the queue's two functions.
/// </summary>
public sealed class NovuRemovalStore(XNovuDatabase database)
{
    // The shared environment, and the session's enterprise's own (row-level security shows only that one).
    private const string EnqueueSql = """
        INSERT INTO notify.novu_removal (owner_enterprise, kind, item_key, api_url, secret_key)
        SELECT @enterpriseId, i.kind, i.item_key, e.api_url, e.secret_key
        FROM ({0}) i(kind, item_key)
        CROSS JOIN (SELECT NULL::text, NULL::text UNION ALL SELECT api_url, secret_key FROM notify.enterprise_novu) e(api_url, secret_key)
        ON CONFLICT (owner_enterprise, kind, item_key, (coalesce(api_url, ''))) DO UPDATE
        SET secret_key = excluded.secret_key, attempts = 0, next_attempt_at = now(), last_error = NULL
        """;

    /// <summary>
    /// Every subscriber Novu may hold for the enterprise (its directory, and whoever a delivery went to: Novu
    /// creates a subscriber on trigger) and every workflow of its own. Static workflows are shared, never removed.
    /// </summary>
    public static Task<int> EnqueueEnterpriseAsync(TenantSession session) =>
        session.Connection.ExecuteAsync(
            string.Format(System.Globalization.CultureInfo.InvariantCulture, EnqueueSql,
                $"""
                SELECT '{NovuRemoval.Workflow}', workflow_key FROM notify.ent_notification_workflow
                UNION
                SELECT '{NovuRemoval.Subscriber}', subscriber_id FROM notify.subscriber
                UNION
                SELECT '{NovuRemoval.Subscriber}', subscriber_id FROM notify.ent_notification_delivery WHERE subscriber_id IS NOT NULL
                """),
            new { enterpriseId = session.EnterpriseId },
            session.Transaction);

    public static Task<int> EnqueueSubscriberAsync(TenantSession session, string subscriberId) =>
        session.Connection.ExecuteAsync(
            string.Format(System.Globalization.CultureInfo.InvariantCulture, EnqueueSql, $"SELECT '{NovuRemoval.Subscriber}', @subscriberId::text"),
            new { enterpriseId = session.EnterpriseId, subscriberId },
            session.Transaction);

    public async Task<IReadOnlyList<NovuRemoval>> ClaimAsync(int limit, int leaseSeconds, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return (await connection.QueryAsync<NovuRemoval>(new CommandDefinition(
            """
            SELECT id, owner_enterprise AS OwnerEnterprise, kind, item_key AS ItemKey, api_url AS ApiUrl, secret_key AS SecretKey, attempts
            FROM notify.claim_novu_removals(@limit, @leaseSeconds)
            """,
            new { limit, leaseSeconds },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Done (<paramref name="error"/> null: the row goes), or due again at <paramref name="retryAt"/>.</summary>
    public async Task FinishAsync(NovuRemoval removal, string? error, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT notify.finish_novu_removal(@id, @attempts, @error, @retryAt)",
            new { id = removal.Id, attempts = removal.Attempts, error, retryAt },
            cancellationToken: cancellationToken));
    }
}
