using Dapper;

namespace XNovu.Dispatcher.Retention;

/// <summary>
/// An enterprise's own retention, shorter than <see cref="RetentionOptions.MaxAge"/> (issue 32, set by the admin):
/// its finished notifications past it are deleted inside the young day partitions, which stay for everyone else, in
/// batches of <see cref="RetentionOptions.BatchSize"/> with <see cref="RetentionOptions.BatchPause"/> between them
/// (<c>notify.purge_enterprise_history</c>: index-ordered, short transactions, SKIP LOCKED). A retention as long as
/// the deployment's or longer is the global pass's work already. Until the delete reaches a row, the API hides it
/// (<c>notify.history_kept_since</c>, the same rule).
/// </summary>
public sealed partial class RetentionWorker
{
    private async Task<long> PurgeEnterprisesAsync(RetentionOptions settings, CancellationToken cancellationToken)
    {
        List<(Guid Enterprise, int Days)> enterprises;
        await using (var connection = await database.OpenUnscopedAsync(cancellationToken))
        {
            enterprises = (await connection.QueryAsync<(Guid, int)>(new CommandDefinition(
                "SELECT enterprise_id, retention_days FROM notify.enterprises_with_retention()", cancellationToken: cancellationToken))).AsList();
        }

        long total = 0;
        foreach (var (enterprise, days) in enterprises.Where(e => TimeSpan.FromDays(e.Days) < settings.MaxAge))
        {
            var deleted = await PurgeEnterpriseAsync(enterprise, settings, cancellationToken);
            if (deleted > 0)
            {
                LogEnterprisePurged(logger, deleted, enterprise, days);
            }

            total += deleted;
        }

        return total;
    }

    private Task<long> PurgeEnterpriseAsync(Guid enterprise, RetentionOptions settings, CancellationToken cancellationToken) =>
        InBatchesAsync("SELECT notify.purge_enterprise_history(@enterprise, @batch)", new { enterprise, batch = settings.BatchSize },
            settings.BatchSize, settings.BatchPause, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Notifications} notification(s) of enterprise {EnterpriseId} past its own {Days}-day retention")]
    private static partial void LogEnterprisePurged(ILogger logger, long notifications, Guid enterpriseId, int days);
}
