using Microsoft.Extensions.Options;

namespace XNovu.Api.Topics;

/// <summary>
/// Finishes the deliveries of topic notifications whose API instance died between batches: the audience was
/// stored with the notification, so nothing accepted is lost, only delayed by <see cref="TopicOptions.ResumeAfterIdle"/>.
/// Any API instance may finish any expansion; the notification row lock keeps two from colliding.
/// </summary>
internal sealed partial class TopicExpansionResumer(
    TopicStore store, IOptions<TopicOptions> options, TimeProvider time, ILogger<TopicExpansionResumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.ResumeInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await store.ResumeAsync(settings.ExpansionBatchSize, (int)settings.ResumeAfterIdle.TotalSeconds, stoppingToken) is { } resumed)
                {
                    LogResumed(logger, resumed.NotificationId, resumed.Remaining);
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                // The database is away: the next tick tries again.
                LogResumeFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed the deliveries of topic notification {NotificationId}; {Remaining} remain")]
    private static partial void LogResumed(ILogger logger, long notificationId, int remaining);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resuming topic expansions failed")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception);
}
