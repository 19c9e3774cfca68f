using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.RuleEngine;

/// <summary>
/// The SQL of what the dispatchers' rule engines publish (a heartbeat per replica, and per rule its last tick
/// and outcome) and of asking them to reload. Each call is one tenant transaction of the caller's enterprise.
/// </summary>
internal sealed class RuleEngineStore(XNovuDatabase database)
{
    private const string InstancesSql =
        """
        SELECT worker_id AS WorkerId, started_at AS StartedAt, heartbeat_at AS HeartbeatAt, last_reload_at AS LastReloadAt
        FROM notify.rule_engine_instances()
        """;

    private const string RulesSql =
        """
        SELECT r.id, r.name, r.trigger_type::text AS TriggerType, r.trigger_config::text AS TriggerConfig,
               (r.publish_status = 'PUBLISH' AND NOT r.deactivated
                AND coalesce((r.trigger_config ->> 'enabled')::boolean, true)) AS Scheduled,
               r.updated_at AS UpdatedAt, s.last_tick_at AS LastTickAt, s.last_run_at AS LastRunAt,
               s.last_outcome AS LastOutcome, s.last_notification_id AS LastNotificationId,
               s.last_transaction_id AS LastTransactionId, coalesce(s.fired_count, 0) AS FiredCount
        FROM notify.ent_notification_rule r
        LEFT JOIN notify.rule_state s ON s.rule_id = r.id
        WHERE r.trigger_type IN ('CRON', 'SCHEDULE')
        ORDER BY r.id
        """;

    public Task<(List<EngineInstanceRow> Instances, List<RuleStateRow> Rules)> ReadAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            var instances = (await session.Connection.QueryAsync<EngineInstanceRow>(InstancesSql, transaction: session.Transaction)).AsList();
            var rules = (await session.Connection.QueryAsync<RuleStateRow>(RulesSql, transaction: session.Transaction)).AsList();
            return (instances, rules);
        }, cancellationToken);

    /// <summary>How many engines are alive; when any is, they are all asked (at commit) to reload the enterprise's rules.</summary>
    public Task<int> RequestReloadAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            var live = (await session.Connection.QueryAsync<EngineInstanceRow>(InstancesSql, transaction: session.Transaction)).AsList();
            if (live.Count > 0)
            {
                // Delivered at commit to every replica listening.
                await session.Connection.ExecuteAsync(
                    "SELECT pg_notify(@channel, @enterprise)",
                    new { channel = NotifyChannels.Rules, enterprise = enterpriseId.ToString() },
                    session.Transaction);
            }

            return live.Count;
        }, cancellationToken);
}
