using Dapper;
using Microsoft.Extensions.Options;
using XNovu.Core.Persistence;

namespace XNovu.Api.Triggers;

/// <summary>
/// Deletes Idempotency-Keys past their window now and then, so the table holds about a day of keys.
/// Every replica may run it; the deletes do not conflict.
/// </summary>
internal sealed partial class IdempotencyKeyPurger(
    XNovuDatabase database, IOptions<TriggerOptions> options, TimeProvider time, ILogger<IdempotencyKeyPurger> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.IdempotencyPurgeInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var connection = await database.OpenUnscopedAsync(stoppingToken);
                var purged = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                    "SELECT notify.purge_idempotency_keys(@seconds)",
                    new { seconds = options.Value.IdempotencyWindow.TotalSeconds },
                    cancellationToken: stoppingToken));
                LogPurged(logger, purged);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purged {Count} expired idempotency keys")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired idempotency keys failed; the next tick tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
