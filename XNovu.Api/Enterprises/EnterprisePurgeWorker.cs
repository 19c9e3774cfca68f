using Microsoft.Extensions.Options;

namespace XNovu.Api.Enterprises;

/// <summary>Wakes the purge job when the admin deletes an enterprise on this replica.</summary>
public sealed class EnterprisePurgeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // already awake
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Removes deleted enterprises' rows, one short batch per statement (<c>notify.purge_enterprise</c>), so other
/// tenants' writes never wait behind one long delete. Every API replica may run it: batches skip locked rows,
/// and an interrupted purge resumes from what is left, since the mark on the enterprise row is durable.
/// </summary>
internal sealed partial class EnterprisePurgeWorker(
    EnterpriseStore store,
    EnterprisePurgeSignal signal,
    IOptionsMonitor<OffboardingOptions> options,
    ILogger<EnterprisePurgeWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var id in await store.BeingDeletedAsync(stoppingToken))
                {
                    await PurgeAsync(id, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be away; the mark stays, and the next round continues.
                LogPurgeFailed(logger, ex);
            }

            try
            {
                await signal.WaitAsync(options.CurrentValue.PurgeInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task PurgeAsync(Guid id, CancellationToken stoppingToken)
    {
        long removed = 0;
        while (true)
        {
            var deleted = await store.PurgeBatchAsync(id, options.CurrentValue.PurgeBatchSize, stoppingToken);
            if (deleted == 0)
            {
                LogPurged(logger, id, removed);
                return;
            }

            if (deleted < 0)
            {
                return; // rows held by someone else right now: the next round takes them
            }

            removed += deleted;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Enterprise {EnterpriseId} deleted: {Rows} rows removed")]
    private static partial void LogPurged(ILogger logger, Guid enterpriseId, long rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting enterprises paused by an error; retrying later")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
