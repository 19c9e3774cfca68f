using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.Operations;

/// <summary>The cross-enterprise reads and writes of operations, each through its SECURITY DEFINER function (0008_operations.sql).</summary>
public sealed class OperationsStore(XNovuDatabase database)
{
    public async Task<BacklogMetrics> BacklogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return await connection.QuerySingleAsync<BacklogMetrics>(new CommandDefinition(
            "SELECT pending AS Pending, due AS Due, oldest_pending_age_seconds AS OldestPendingAgeSeconds FROM notify.backlog_stats()",
            cancellationToken: cancellationToken));
    }

    public async Task<DeliveryMetrics> DeliveriesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return await connection.QuerySingleAsync<DeliveryMetrics>(new CommandDefinition(
            "SELECT sent AS Sent, failed AS Failed, retried AS Retried FROM notify.delivery_stats()",
            cancellationToken: cancellationToken));
    }

    public async Task<RetryFailedAllResponse> RetryFailedAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return await connection.QuerySingleAsync<RetryFailedAllResponse>(new CommandDefinition(
            "SELECT notifications AS Notifications, deliveries AS Deliveries FROM notify.retry_failed_notifications(@limit)",
            new { limit },
            cancellationToken: cancellationToken));
    }

    /// <summary>Every dispatcher reloads its rules of every enterprise.</summary>
    public async Task ReloadRulesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_notify(@channel, '')", new { channel = NotifyChannels.Rules }, cancellationToken: cancellationToken));
    }

    /// <summary>Live dispatcher replicas (from their heartbeats), their claim loops, and the oldest due delivery's age.</summary>
    public async Task<DispatcherStatus> DispatchersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return await connection.QuerySingleAsync<DispatcherStatus>(new CommandDefinition(
            """
            SELECT live_replicas AS LiveReplicas, loops_configured AS LoopsConfigured, loops_running AS LoopsRunning,
                   oldest_due_age_seconds AS OldestDueAgeSeconds
            FROM notify.dispatcher_status()
            """,
            cancellationToken: cancellationToken));
    }

    /// <summary>The cheapest round trip that proves the database answers as the services' role.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
    }
}
