using System.Text.Json;
using Microsoft.Extensions.Options;
using XNovu.Core.Novu;
using XNovu.Core.Preferences;
using XNovu.Dispatcher.Queues;
using XNovu.NovuClient;

namespace XNovu.Dispatcher.Preferences;

/// <summary>
/// Pushes subscribers' preferences, as XNovu stores them, to each enterprise's Novu environment (its own, else the
/// shared one), so Novu's Inbox shows the same choices (<see cref="PreferenceSyncStore"/>). Per claim, one call per
/// subscriber and level: the global preference by <c>PATCH /v2/subscribers/{id}/preferences</c>, the workflow
/// preferences together by <c>PATCH .../preferences/bulk</c> (at most 100 a call). A refusal or an outage is tried
/// again after 2^attempts seconds (or Novu's Retry-After), up to <see cref="PreferenceSyncOptions.MaxBackoff"/>;
/// the row keeps its last error. XNovu is the source of the choices: the push sends the whole stored map for a
/// level, never a diff, so a retry or a replay sets the same state. The claim, backoff and finish loop is
/// <see cref="NovuQueueWorker{TRow}"/>'s: one enterprise's failing environment delays only its own rows.
/// </summary>
public sealed partial class PreferenceSyncWorker(
    PreferenceSyncStore store,
    NovuEnvironments environments,
    IOptions<PreferenceSyncOptions> options,
    TimeProvider time,
    ILogger<PreferenceSyncWorker> logger) : NovuQueueWorker<PreferenceSync>(options.Value, time, logger)
{
    protected override Task<IReadOnlyList<PreferenceSync>> ClaimAsync(int limit, int leaseSeconds, CancellationToken cancellationToken) =>
        store.ClaimAsync(limit, leaseSeconds, cancellationToken);

    /// <summary>A row whose choice is gone (the subscriber erased meanwhile) is done without a call.</summary>
    protected override async Task<IReadOnlyList<PreferenceSync>> SettleAsync(IReadOnlyList<PreferenceSync> claims, CancellationToken cancellationToken)
    {
        var gone = claims.Where(c => c.Channels is null).ToList();
        if (gone.Count > 0)
        {
            await store.FinishAsync(gone, null, null, cancellationToken);
        }

        return claims.Where(c => c.Channels is not null).ToList();
    }

    protected override IEnumerable<IReadOnlyList<PreferenceSync>> Calls(IReadOnlyList<PreferenceSync> rows) => Calls((IEnumerable<PreferenceSync>)rows);

    protected override int Attempts(IReadOnlyList<PreferenceSync> call) => call.Max(c => c.Attempts);

    protected override Task FinishAsync(IReadOnlyList<PreferenceSync> call, string? error, DateTimeOffset? retryAt, CancellationToken cancellationToken) =>
        store.FinishAsync(call, error, retryAt, cancellationToken);

    protected override void LogCallFailed(IReadOnlyList<PreferenceSync> call, int attempts, string error) =>
        LogPushFailed(logger, call[0].EnterpriseId, attempts, error);

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

    protected override async Task<NovuOutcome> CallAsync(IReadOnlyList<PreferenceSync> call, CancellationToken cancellationToken)
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
            return Threw(e);
        }
    }

    private static IReadOnlyDictionary<string, bool> Channels(PreferenceSync sync) =>
        JsonSerializer.Deserialize<Dictionary<string, bool>>(sync.Channels!) ?? [];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pushing preferences of enterprise {EnterpriseId} to Novu failed (attempt {Attempts}): {Error}")]
    private static partial void LogPushFailed(ILogger logger, Guid enterpriseId, int attempts, string error);
}
