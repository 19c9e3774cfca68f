using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using XNovu.Core.History;
using XNovu.Core.Persistence;

namespace XNovu.Dispatcher.Retention;

/// <summary>
/// Keeps the history's day partitions a week ahead and drops the days past retention whole (issue 32,
/// <see cref="MaintainHistoryAsync"/>), then deletes old notifications that a kept day still holds in small batches, then those past
/// their enterprise's own shorter retention (<see cref="PurgeEnterprisesAsync"/>), then the rule tick keys as old, then the outbound webhooks' finished
/// messages and attempt log and the delivery poll's spent state, each at its own age. Each batch is one statement
/// that skips rows locked by the dispatch, so retention never waits on it nor it on retention. Every replica may
/// run it at once; the batches do not overlap.
/// </summary>
public sealed partial class RetentionWorker(
    XNovuDatabase database, IOptions<RetentionOptions> options, HistoryPartitionWatch partitions, TimeProvider time, ILogger<RetentionWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.Interval, time);
        do
        {
            try
            {
                await MaintainHistoryAsync(settings, stoppingToken);
                var notifications = await PurgeAsync("notify.purge_notifications", settings.MaxAge, settings, stoppingToken);
                await PurgeEnterprisesAsync(settings, stoppingToken);
                var ticks = await PurgeAsync("notify.purge_rule_ticks", settings.MaxAge, settings, stoppingToken);
                LogPurged(logger, notifications, ticks, settings.MaxAge);
                var messages = await PurgeAsync("notify.purge_webhook_messages", settings.WebhookMessageMaxAge, settings, stoppingToken);
                var attempts = await PurgeAsync("notify.purge_webhook_attempts", settings.WebhookAttemptMaxAge, settings, stoppingToken);
                var polls = await PurgeAsync("notify.purge_outcome_polls", settings.OutcomePollMaxAge, settings, stoppingToken);
                LogPurgedWebhooks(logger, messages, attempts, polls);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <param name="function">One of the purge functions, named by this class, never by input; each deletes at most a batch older than <paramref name="maxAge"/>.</param>
    private Task<long> PurgeAsync(string function, TimeSpan maxAge, RetentionOptions settings, CancellationToken cancellationToken) =>
        InBatchesAsync($"SELECT {function}(@seconds, @batch)", new { seconds = maxAge.TotalSeconds, batch = settings.BatchSize },
            settings.BatchSize, settings.BatchPause, cancellationToken);

    /// <summary>
    /// The batch loop of every retention delete: runs <paramref name="statement"/> (one short transaction that deletes
    /// at most <paramref name="batchSize"/> rows and answers how many) until a batch comes back short, with
    /// <paramref name="pause"/> between full batches so the dispatch has the database between them; the total.
    /// </summary>
    /// <param name="statement">SQL named by this class, never by input.</param>
    private async Task<long> InBatchesAsync(string statement, object parameters, int batchSize, TimeSpan pause, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            int deleted;
            await using (var connection = await database.OpenUnscopedAsync(cancellationToken))
            {
                deleted = await connection.ExecuteScalarAsync<int>(new CommandDefinition(statement, parameters, cancellationToken: cancellationToken));
            }

            total += deleted;
            if (deleted < batchSize)
            {
                return total;
            }

            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, time, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Notifications} notification(s) and {Ticks} rule tick(s) older than {MaxAge}")]
    private static partial void LogPurged(ILogger logger, long notifications, long ticks, TimeSpan maxAge);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Messages} webhook message(s), {Attempts} webhook attempt(s) and {Polls} delivery poll state(s)")]
    private static partial void LogPurgedWebhooks(ILogger logger, long messages, long attempts, long polls);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention pass failed; the next one tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
