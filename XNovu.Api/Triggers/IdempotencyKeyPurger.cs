using Microsoft.Extensions.Options;

namespace XNovu.Api.Triggers;

/// <summary>
/// Deletes Idempotency-Keys past their window now and then, so the table holds about a day of keys.
/// Every replica may run it; the deletes do not conflict.
/// </summary>
internal sealed partial class IdempotencyKeyPurger(
    IdempotencyKeyStore keys, IOptions<TriggerOptions> options, TimeProvider time, ILogger<IdempotencyKeyPurger> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.IdempotencyPurgeInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var purged = await keys.PurgeExpiredAsync(stoppingToken);
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
