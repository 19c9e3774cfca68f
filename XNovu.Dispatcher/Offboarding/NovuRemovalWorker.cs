using Microsoft.Extensions.Options;
using XNovu.Core.Novu;
using XNovu.Dispatcher.Queues;
using XNovu.NovuClient;

namespace XNovu.Dispatcher.Offboarding;

/// <summary>
/// Carries out the removals from Novu that a deleted enterprise or an erased subscriber left queued
/// (<see cref="NovuRemovalStore"/>): deletes the subscriber (<c>DELETE /v2/subscribers/{id}</c>) or the
/// enterprise's workflow (<c>DELETE /v2/workflows/{id}</c>) in the environment the row names, until Novu confirms.
/// A 404 confirms too (nothing of it is left there). Anything else, an outage included, is tried again after
/// 2^attempts seconds (or Novu's Retry-After), up to <see cref="NovuRemovalOptions.MaxBackoff"/>, for as long as
/// it takes: the row stays in the database across restarts, with its last error for the operator. The claim,
/// backoff and finish loop is <see cref="NovuQueueWorker{TRow}"/>'s.
/// </summary>
public sealed partial class NovuRemovalWorker(
    NovuRemovalStore store,
    NovuEnvironments environments,
    IOptions<NovuRemovalOptions> options,
    TimeProvider time,
    ILogger<NovuRemovalWorker> logger) : NovuQueueWorker<NovuRemoval>(options.Value, time, logger)
{
    protected override Task<IReadOnlyList<NovuRemoval>> ClaimAsync(int limit, int leaseSeconds, CancellationToken cancellationToken) =>
        store.ClaimAsync(limit, leaseSeconds, cancellationToken);

    protected override bool IsDone(NovuOutcome outcome) => outcome.IsSuccess || outcome.HttpStatus == StatusCodes.Status404NotFound;

    protected override int Attempts(IReadOnlyList<NovuRemoval> call) => call[0].Attempts;

    protected override Task FinishAsync(IReadOnlyList<NovuRemoval> call, string? error, DateTimeOffset? retryAt, CancellationToken cancellationToken) =>
        store.FinishAsync(call[0], error, retryAt, cancellationToken);

    protected override async Task<NovuOutcome> CallAsync(IReadOnlyList<NovuRemoval> call, CancellationToken cancellationToken)
    {
        var removal = call[0];
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
            return Threw(e);
        }
    }

    protected override void LogCallFailed(IReadOnlyList<NovuRemoval> call, int attempts, string error) =>
        LogRemovalFailed(logger, call[0].Kind, call[0].OwnerEnterprise, attempts, error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing a {Kind} of enterprise {EnterpriseId} from Novu failed (attempt {Attempts}): {Error}")]
    private static partial void LogRemovalFailed(ILogger logger, string kind, Guid enterpriseId, int attempts, string error);
}
