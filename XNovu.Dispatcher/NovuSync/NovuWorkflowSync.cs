using System.Collections.Concurrent;
using XNovu.Core.Novu;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;
using XNovu.NovuClient;

namespace XNovu.Dispatcher.NovuSync;

/// <summary>
/// One sync's outcome; <see cref="RetryAfter"/> is Novu's, when it asked for a pause, and
/// <see cref="CredentialsRejected"/> says Novu refused XNovu's key for that environment (401, 403).
/// </summary>
public sealed record SyncResult(bool Succeeded, string? NovuWorkflowId, string? Error, TimeSpan? RetryAfter = null, bool CredentialsRejected = false)
{
    public static SyncResult Done(string? novuWorkflowId) => new(true, novuWorkflowId, null);
}

public enum SyncMode
{
    /// <summary>After a write in XNovu: Novu gets exactly XNovu's steps and active flag.</summary>
    Write,

    /// <summary>
    /// The reconciler: creates what is missing and repairs steps edited in Novu, and deactivates what XNovu
    /// does not send; it never re-activates a workflow paused in Novu (an operator's stop stays a stop).
    /// </summary>
    Repair,

    /// <summary>Before a send: only makes sure the workflow exists, once per process.</summary>
    EnsureExists,
}

/// <summary>
/// Keeps one XNovu workflow's Novu twin as <see cref="NovuWorkflowShape"/> describes it, through Novu's
/// <c>/v2/workflows</c> API. Reads Novu first (GET), then creates or updates only what differs, so a repeated
/// sync costs one GET. Remembers per process which Novu workflows it has seen in which environment (and
/// credentials), so sends do not ask again. An enterprise's workflows live in its own Novu environment when it
/// has one (<see cref="NovuEnvironments"/>), under the same identifiers as in the shared one; a static workflow
/// lives in every environment that sends it.
/// </summary>
public sealed partial class NovuWorkflowSync(
    NovuEnvironments environments, NovuSyncStore store, WorkflowResolver resolver, StaticWorkflowRegistry registry,
    ILogger<NovuWorkflowSync> logger)
{
    public const string WorkflowNotFound = "workflow_not_found";
    public const string TriggerNotActive = "trigger_not_active";

    private readonly ConcurrentDictionary<string, bool> _known = new(StringComparer.Ordinal);

    /// <summary>
    /// Syncs the workflow named by a sync row (a null enterprise is a static workflow) into
    /// <paramref name="environment"/>, by default the environment its enterprise delivers through (the shared
    /// one for a static workflow).
    /// </summary>
    public async Task<SyncResult> SyncAsync(
        Guid? enterpriseId, string workflowKey, SyncMode mode, CancellationToken cancellationToken, NovuEnvironment? environment = null)
    {
        environment ??= enterpriseId is { } owner ? await environments.ForEnterpriseAsync(owner, cancellationToken) : environments.Shared;
        var desired = await DesiredAsync(enterpriseId, workflowKey, cancellationToken);
        return desired is null
            ? SyncResult.Done(null) // nothing in XNovu by that key: nothing for Novu to hold
            : await EnsureAsync(environment, desired, mode, cancellationToken);
    }

    /// <summary>
    /// What a trigger's outcome means for a workflow XNovu keeps in Novu. Novu's "workflow not found" (deleted
    /// behind XNovu's back) and <c>trigger_not_active</c> while XNovu's own sync of a write is still pending (a
    /// workflow published again a moment ago) will pass once the sync is done: both become retryable, within
    /// the delivery's attempt budget. Anything else stands.
    /// </summary>
    public async Task<NovuOutcome> ReviewAsync(
        NovuEnvironment environment, Guid enterpriseId, bool isStatic, string workflowKey, NovuOutcome outcome, CancellationToken cancellationToken)
    {
        var owner = isStatic ? (Guid?)null : enterpriseId;
        if (outcome is { HttpStatus: StatusCodes.Status422UnprocessableEntity, Message: { } message }
            && message.Contains(WorkflowNotFound, StringComparison.Ordinal))
        {
            _known.TryRemove(KnownKey(environment, NovuNames.WorkflowId(owner, workflowKey)), out _);
            return outcome with { Kind = NovuOutcomeKind.Retryable };
        }

        if (outcome.NovuStatus == TriggerNotActive && await store.IsSyncPendingAsync(enterpriseId, owner, workflowKey, cancellationToken))
        {
            return outcome with { Kind = NovuOutcomeKind.Retryable, RetryAfter = TimeSpan.FromSeconds(1) };
        }

        return outcome;
    }

    public async Task<DesiredWorkflow?> DesiredAsync(Guid? enterpriseId, string workflowKey, CancellationToken cancellationToken)
    {
        if (enterpriseId is not { } enterprise)
        {
            return registry.FindWorkflow(workflowKey) is { } shipped
                ? new DesiredWorkflow(null, shipped.WorkflowKey, shipped.Name, Channels(shipped.DefaultChannels), Active: true)
                : null;
        }

        var stored = await resolver.FindOwnAsync(enterprise, workflowKey, cancellationToken);
        return stored is null
            ? null
            : new DesiredWorkflow(enterprise, stored.WorkflowKey, stored.Name, Channels(stored.Channels), Active: stored.CanSend);
    }

    public async Task<SyncResult> EnsureAsync(NovuEnvironment environment, DesiredWorkflow desired, SyncMode mode, CancellationToken cancellationToken)
    {
        var request = NovuWorkflowShape.Request(desired);
        var id = request.WorkflowId;
        var known = KnownKey(environment, id);
        if (mode == SyncMode.EnsureExists && _known.ContainsKey(known))
        {
            return SyncResult.Done(id);
        }

        if (environment.Client is not { } novu)
        {
            return new SyncResult(false, id, environment.Problem, CredentialsRejected: true);
        }

        var current = await novu.Workflows.GetAsync(id, cancellationToken);
        if (current.HttpStatus == StatusCodes.Status404NotFound && !desired.Active && mode != SyncMode.EnsureExists)
        {
            // Never published (or no longer sendable) and not in Novu: nothing to hold there until it is.
            return SyncResult.Done(null);
        }

        if (current.HttpStatus == StatusCodes.Status404NotFound)
        {
            var created = await novu.Workflows.CreateAsync(request, cancellationToken);
            if (created.IsSuccess)
            {
                _known[known] = true;
                LogCreated(logger, id, desired.WorkflowKey);
                return SyncResult.Done(id);
            }

            if (created.HttpStatus != StatusCodes.Status409Conflict)
            {
                return Failed(id, created);
            }

            // Another replica (or a send) created it meanwhile: read it again and compare.
            current = await novu.Workflows.GetAsync(id, cancellationToken);
        }

        if (!current.IsSuccess || current.Value is not { } actual)
        {
            return Failed(id, current);
        }

        _known[known] = true;
        if (mode == SyncMode.EnsureExists)
        {
            return SyncResult.Done(id);
        }

        var mayActivate = mode == SyncMode.Write;
        if (!NovuWorkflowShape.Differs(request, actual, includeActive: mayActivate || !desired.Active))
        {
            return SyncResult.Done(id);
        }

        var update = mayActivate || !desired.Active ? request : request with { Active = actual.Active };
        var updated = await novu.Workflows.UpdateAsync(id, update, cancellationToken);
        if (!updated.IsSuccess)
        {
            return Failed(id, updated);
        }

        LogUpdated(logger, id, mode);
        return SyncResult.Done(id);
    }

    private static SyncResult Failed(string id, NovuOutcome outcome) =>
        new(false, id, $"Novu answered {(outcome.HttpStatus is { } status ? $"HTTP {status}" : "nothing")}: {outcome.Message}", outcome.RetryAfter,
            CredentialsRejected: outcome.CredentialsRefused);

    private static string KnownKey(NovuEnvironment environment, string novuWorkflowId) => $"{environment.Version}|{novuWorkflowId}";

    private static List<NotificationChannel> Channels(IEnumerable<string> names) =>
        names.Select(n => NotificationChannelNames.TryParse(n, out var channel) ? channel : (NotificationChannel?)null)
            .OfType<NotificationChannel>()
            .ToList();

    [LoggerMessage(Level = LogLevel.Information, Message = "Created Novu workflow {NovuWorkflowId} for XNovu workflow {WorkflowKey}")]
    private static partial void LogCreated(ILogger logger, string novuWorkflowId, string workflowKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Updated Novu workflow {NovuWorkflowId} ({Mode})")]
    private static partial void LogUpdated(ILogger logger, string novuWorkflowId, SyncMode mode);
}
