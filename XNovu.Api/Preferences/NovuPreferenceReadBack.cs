using XNovu.Api.NovuWebhooks;
using XNovu.Core.Novu;
using XNovu.Core.Preferences;
using XNovu.Core.Workflows;

namespace XNovu.Api.Preferences;

/// <summary>
/// A preference changed in Novu (its Inbox, or its API) comes back to XNovu through Novu's <c>preference.updated</c>
/// webhook, verified by the receiver (<see cref="NovuWebhookReceiver"/>). The Novu subscriber id names the enterprise
/// (<see cref="NovuNames.SubscriberId"/>); an enterprise's own environment may only speak for that enterprise, so a
/// report from it naming another is ignored. The workflow is found by the identifier XNovu gave it in Novu
/// (<see cref="NovuNames.WorkflowId"/>) among the enterprise's workflows; which channels are taken, and the conflict
/// rules, are <see cref="PreferenceReadBack"/>'s. A report XNovu cannot place (an unknown subscriber or workflow, a
/// workflow or subscriber of no enterprise) changes nothing and is still answered 204, so Novu does not retry it.
/// </summary>
internal sealed partial class NovuPreferenceReadBack(
    PreferenceStore store, StaticWorkflowRegistry registry, ILogger<NovuPreferenceReadBack> logger)
{
    public async Task<string> ApplyAsync(Guid? environment, NovuPreferenceEvent reported, CancellationToken cancellationToken)
    {
        if (!NovuNames.TryReadSubscriberId(reported.NovuSubscriberId, out var enterpriseId, out var subscriberId) || subscriberId.Length == 0)
        {
            return "not-ours";
        }

        if (environment is { } own && own != enterpriseId)
        {
            LogForeign(logger, own, enterpriseId);
            return "foreign";
        }

        var workflowKey = PreferenceSync.GlobalKey;
        if (!reported.IsGlobal)
        {
            var catalog = await PreferenceEndpoints.CatalogAsync(enterpriseId, store, registry, cancellationToken);
            var ownWorkflows = await store.OwnWorkflowsAsync(enterpriseId, cancellationToken);
            var ownKeys = ownWorkflows.Select(w => w.WorkflowKey).ToHashSet(StringComparer.Ordinal);
            var match = catalog.Keys.FirstOrDefault(key =>
                NovuNames.WorkflowId(ownKeys.Contains(key) ? enterpriseId : null, key) == reported.WorkflowIdentifier);
            if (match is null)
            {
                return "unknown-workflow";
            }

            workflowKey = match;
        }

        var taken = await store.ApplyFromNovuAsync(enterpriseId, subscriberId, workflowKey, reported.Channels, reported.OccurredAt, cancellationToken);
        return taken switch
        {
            null => "unknown-subscriber",
            { Count: 0 } => "unchanged",
            _ => "applied",
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A preference webhook from enterprise {Environment}'s own Novu named enterprise {Named}'s subscriber: ignored")]
    private static partial void LogForeign(ILogger logger, Guid environment, Guid named);
}
