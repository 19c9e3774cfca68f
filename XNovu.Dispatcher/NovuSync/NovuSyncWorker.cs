using Microsoft.Extensions.Options;
using XNovu.Core.Novu;
using XNovu.Core.Persistence;
using XNovu.Core.Workflows;
using XNovu.Dispatcher.Dispatch;

namespace XNovu.Dispatcher.NovuSync;

/// <summary>
/// Performs the syncs that workflow writes left pending (woken by NOTIFY <see cref="Channel"/>, and every
/// <see cref="NovuSyncOptions.PollInterval"/> for retries), with exponential backoff on failure; and, once
/// per <see cref="NovuSyncOptions.ReconcilePeriod"/> across all replicas (and at start), reconciles every
/// synced workflow with Novu: a workflow deleted there is recreated, a step edited there is repaired; the static
/// workflows are kept the same way in every enterprise's own Novu environment.
/// </summary>
public sealed partial class NovuSyncWorker(
    NovuWorkflowSync sync,
    NovuSyncStore store,
    StaticWorkflowRegistry registry,
    NovuEnvironments environments,
    [FromKeyedServices(NovuSyncWorker.Channel)] DispatchSignal signal,
    IOptions<NovuSyncOptions> options,
    TimeProvider time,
    ILogger<NovuSyncWorker> logger) : BackgroundService
{
    /// <summary>The NOTIFY channel a workflow write (or the admin's sync-all) fires.</summary>
    public const string Channel = NotifyChannels.NovuSync;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var registered = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!registered)
                {
                    await store.RegisterStaticAsync(registry.Workflows.Select(w => w.WorkflowKey), stoppingToken);
                    registered = true;
                }

                await SyncDueAsync(settings, stoppingToken);
                if (await store.BeginReconcileAsync(settings.ReconcilePeriod, stoppingToken))
                {
                    await ReconcileAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The database or Novu is away: nothing is lost, pending rows stay pending.
                LogPassFailed(logger, e);
            }

            try
            {
                await signal.WaitAsync(settings.PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task SyncDueAsync(NovuSyncOptions settings, CancellationToken cancellationToken)
    {
        while (true)
        {
            var claims = await store.ClaimAsync(settings.BatchSize, settings.LeaseSeconds, cancellationToken);
            foreach (var claim in claims)
            {
                var result = await sync.SyncAsync(claim.EnterpriseId, claim.WorkflowKey, SyncMode.Write, cancellationToken);
                DateTimeOffset? retryAt = null;
                if (!result.Succeeded)
                {
                    var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, claim.Attempts), settings.MaxBackoff.TotalSeconds));
                    retryAt = time.GetUtcNow() + (result.RetryAfter > backoff ? result.RetryAfter.Value : backoff);
                    LogSyncFailed(logger, claim.WorkflowKey, claim.Attempts, result.Error);
                }

                await store.RecordAsync(claim, result, retryAt, cancellationToken);
            }

            if (claims.Count < settings.BatchSize)
            {
                return;
            }
        }
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var synced = await store.SyncedAsync(cancellationToken);
        var failures = 0;
        foreach (var row in synced)
        {
            var result = await sync.SyncAsync(row.EnterpriseId, row.WorkflowKey, SyncMode.Repair, cancellationToken);
            if (!result.Succeeded)
            {
                // Left as synced: the next period tries again, and a write sync would re-activate it.
                failures++;
                LogSyncFailed(logger, row.WorkflowKey, 0, result.Error);
            }
        }

        // The static workflows in every enterprise's own environment too: their rows name the shared one only.
        foreach (var environment in await environments.AllAsync(cancellationToken))
        {
            if (environment.IsShared || environment.Client is null || environment.IsPaused(time.GetUtcNow()))
            {
                continue;
            }

            foreach (var shipped in registry.Workflows)
            {
                var result = await sync.SyncAsync(null, shipped.WorkflowKey, SyncMode.Repair, cancellationToken, environment);
                if (!result.Succeeded)
                {
                    failures++;
                    LogSyncFailed(logger, shipped.WorkflowKey, 0, result.Error);
                    break; // that environment answers no better for the next one
                }
            }
        }

        LogReconciled(logger, synced.Count, failures);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Novu sync pass failed; pending syncs stay pending")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Novu sync of workflow {WorkflowKey} failed (attempt {Attempts}): {Error}")]
    private static partial void LogSyncFailed(ILogger logger, string workflowKey, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reconciled {Count} Novu workflows, {Failures} failed")]
    private static partial void LogReconciled(ILogger logger, int count, int failures);
}
