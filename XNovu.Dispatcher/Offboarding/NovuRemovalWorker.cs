using Microsoft.Extensions.Options;
using XNovu.Core.Novu;
using XNovu.NovuClient;

namespace XNovu.Dispatcher.Offboarding;

/// <summary>
/// Carries out the removals from Novu that a deleted enterprise or an erased subscriber left queued
/// (<see cref="NovuRemovalStore"/>): deletes the subscriber (<c>DELETE /v2/subscribers/{id}</c>) or the
/// enterprise's workflow (<c>DELETE /v2/workflows/{id}</c>) in the environment the row names, until Novu confirms.
/// A 404 confirms too (nothing of it is left there). Anything else, an outage included, is tried again after
/// 2^attempts seconds (or Novu's Retry-After), up to <see cref="NovuRemovalOptions.MaxBackoff"/>, for as long as
/// it takes: the row stays in the database across restarts, with its last error for the operator. Every replica
/// runs it; a claim is leased, so two never work on one row.
/// </summary>
public sealed partial class NovuRemovalWorker(
    NovuRemovalStore store,
    NovuEnvironments environments,
    IOptions<NovuRemovalOptions> options,
    TimeProvider time,
    ILogger<NovuRemovalWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RemoveDueAsync(settings, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The database is away: the queue is where it was, and leased rows come due again.
                LogPassFailed(logger, e);
            }

            try
            {
                await Task.Delay(settings.PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RemoveDueAsync(NovuRemovalOptions settings, CancellationToken cancellationToken)
    {
        while (true)
        {
            var claims = await store.ClaimAsync(settings.BatchSize, settings.LeaseSeconds, cancellationToken);
            foreach (var removal in claims)
            {
                var outcome = await RemoveAsync(removal, cancellationToken);
                if (outcome.IsSuccess || outcome.HttpStatus == StatusCodes.Status404NotFound)
                {
                    await store.FinishAsync(removal, null, null, cancellationToken);
                    continue;
                }

                var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, removal.Attempts), settings.MaxBackoff.TotalSeconds));
                var retryAt = time.GetUtcNow() + (outcome.RetryAfter > backoff ? outcome.RetryAfter.Value : backoff);
                var error = $"HTTP {outcome.HttpStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}: {outcome.Message}";
                LogRemovalFailed(logger, removal.Kind, removal.OwnerEnterprise, removal.Attempts, error);
                await store.FinishAsync(removal, error, retryAt, cancellationToken);
            }

            if (claims.Count < settings.BatchSize)
            {
                return;
            }
        }
    }

    private async Task<NovuOutcome> RemoveAsync(NovuRemoval removal, CancellationToken cancellationToken)
    {
        var environment = removal.ApiUrl is { } url && removal.SecretKey is { } key
            ? environments.FromStored(removal.OwnerEnterprise, url, key)
            : environments.Shared;
        if (environment.Client is not { } novu)
        {
            return new NovuOutcome { Kind = NovuOutcomeKind.Retryable, Message = environment.Problem };
        }

        try
        {
            return removal.Kind == NovuRemoval.Workflow
                ? await novu.Workflows.DeleteAsync(removal.NovuId, cancellationToken)
                : await novu.Subscribers.DeleteAsync(removal.NovuId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new NovuOutcome { Kind = NovuOutcomeKind.Retryable, Message = $"The Novu call failed ({e.GetType().Name})." };
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removals from Novu paused by an error; retrying later")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing a {Kind} of enterprise {EnterpriseId} from Novu failed (attempt {Attempts}): {Error}")]
    private static partial void LogRemovalFailed(ILogger logger, string kind, Guid enterpriseId, int attempts, string error);
}
