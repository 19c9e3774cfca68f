using System.Text.Json;
using Microsoft.Extensions.Options;
using XNovu.Core.Novu;
using XNovu.Core.Preferences;
using XNovu.NovuClient;

namespace XNovu.Dispatcher.Preferences;

/// <summary>
/// Pushes subscribers' preferences, as XNovu stores them, to each enterprise's Novu environment (its own, else the
/// shared one), so Novu's Inbox shows the same choices (<see cref="PreferenceSyncStore"/>). Per claim, one call per
/// subscriber and level: the global preference by <c>PATCH /v2/subscribers/{id}/preferences</c>, the workflow
/// preferences together by <c>PATCH .../preferences/bulk</c> (at most 100 a call). A refusal or an outage is tried
/// again after 2^attempts seconds (or Novu's Retry-After), up to <see cref="PreferenceSyncOptions.MaxBackoff"/>;
/// the row keeps its last error. XNovu is the source of the choices: the push sends the whole stored map for a
/// level, never a diff, so a retry or a replay sets the same state. Every replica runs it; claims are leased.
/// One enterprise's failing environment delays only its own rows: each call's outcome finishes its own rows.
/// </summary>
public sealed partial class PreferenceSyncWorker(
    PreferenceSyncStore store,
    NovuEnvironments environments,
    IOptions<PreferenceSyncOptions> options,
    TimeProvider time,
    ILogger<PreferenceSyncWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PushDueAsync(settings, stoppingToken);
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

    private async Task PushDueAsync(PreferenceSyncOptions settings, CancellationToken cancellationToken)
    {
        while (true)
        {
            var claims = await store.ClaimAsync(settings.BatchSize, settings.LeaseSeconds, cancellationToken);
            var gone = claims.Where(c => c.Channels is null).ToList();
            if (gone.Count > 0)
            {
                await store.FinishAsync(gone, null, null, cancellationToken);
            }

            foreach (var call in Calls(claims.Where(c => c.Channels is not null)))
            {
                var outcome = await PushAsync(call, cancellationToken);
                if (outcome.IsSuccess)
                {
                    await store.FinishAsync(call, null, null, cancellationToken);
                    continue;
                }

                var attempts = call.Max(c => c.Attempts);
                var backoff = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempts), settings.MaxBackoff.TotalSeconds));
                var retryAt = time.GetUtcNow() + (outcome.RetryAfter > backoff ? outcome.RetryAfter.Value : backoff);
                var error = $"HTTP {outcome.HttpStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}: {outcome.Message}";
                LogPushFailed(logger, call[0].EnterpriseId, attempts, error);
                await store.FinishAsync(call, error, retryAt, cancellationToken);
            }

            if (claims.Count < settings.BatchSize)
            {
                return;
            }
        }
    }

    /// <summary>The Novu calls one claim makes: per subscriber, the global level alone, the workflows by hundreds.</summary>
    public static IEnumerable<IReadOnlyList<PreferenceSync>> Calls(IEnumerable<PreferenceSync> claims)
    {
        foreach (var subscriber in claims.GroupBy(c => (c.EnterpriseId, c.SubscriberId)))
        {
            foreach (var global in subscriber.Where(c => c.IsGlobal))
            {
                yield return [global];
            }

            foreach (var chunk in subscriber.Where(c => !c.IsGlobal).Chunk(INovuPreferences.MaxBulk))
            {
                yield return chunk;
            }
        }
    }

    private async Task<NovuOutcome> PushAsync(IReadOnlyList<PreferenceSync> call, CancellationToken cancellationToken)
    {
        var first = call[0];
        var environment = await environments.ForEnterpriseAsync(first.EnterpriseId, cancellationToken);
        if (environment.Client is not { } novu)
        {
            return new NovuOutcome { Kind = NovuOutcomeKind.Retryable, Message = environment.Problem };
        }

        var subscriberId = NovuNames.SubscriberId(first.EnterpriseId, first.SubscriberId);
        try
        {
            return first.IsGlobal
                ? await novu.Preferences.UpdateAsync(subscriberId, null, Channels(first), cancellationToken)
                : await novu.Preferences.BulkUpdateAsync(subscriberId,
                    [.. call.Select(c => (NovuNames.WorkflowId(c.OwnWorkflow ? c.EnterpriseId : null, c.WorkflowKey), Channels(c)))],
                    cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new NovuOutcome { Kind = NovuOutcomeKind.Retryable, Message = $"The Novu call failed ({e.GetType().Name})." };
        }
    }

    private static IReadOnlyDictionary<string, bool> Channels(PreferenceSync sync) =>
        JsonSerializer.Deserialize<Dictionary<string, bool>>(sync.Channels!) ?? [];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preference pushes to Novu paused by an error; retrying later")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pushing preferences of enterprise {EnterpriseId} to Novu failed (attempt {Attempts}): {Error}")]
    private static partial void LogPushFailed(ILogger logger, Guid enterpriseId, int attempts, string error);
}
