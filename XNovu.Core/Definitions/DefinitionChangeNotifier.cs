using XNovu.Core.Templates;
using XNovu.Core.Workflows;
using ZiggyCreatures.Caching.Fusion;

namespace XNovu.Core.Definitions;

/// <summary>
/// Evicts a changed template or workflow everywhere through FusionCache: the enterprise's workflows by tag
/// (a resolved workflow embeds its templates, so a template change evicts them too), and a changed template
/// by a removal of its marker key, which the backplane carries to every other process, where
/// <see cref="OnRemoteEviction"/> drops the template engine's parsed copy. Redis down delays the other
/// processes until it is back (FusionCache's auto-recovery re-sends) or their entries' lifetime ends; the
/// write itself never waits for Redis.
/// </summary>
public sealed class DefinitionChangeNotifier(IFusionCache cache, WorkflowDefinitionCache workflows, ITemplateEngine templates) : IDefinitionChangeNotifier
{
    private const string TemplateMarker = "template-changed:";

    public async Task TemplateChangedAsync(Guid enterpriseId, string templateKey, CancellationToken cancellationToken)
    {
        templates.Evict(enterpriseId, templateKey);
        await cache.RemoveAsync($"{TemplateMarker}{enterpriseId:N}:{templateKey}", token: cancellationToken);
        await workflows.EvictEnterpriseAsync(enterpriseId, cancellationToken);
    }

    public Task WorkflowChangedAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken) =>
        workflows.EvictEnterpriseAsync(enterpriseId, cancellationToken).AsTask();

    /// <summary>Another process changed a template: drop this process's parsed copy of it.</summary>
    internal static void OnRemoteEviction(string? cacheKey, ITemplateEngine templates)
    {
        var at = cacheKey?.IndexOf(TemplateMarker, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return;
        }

        var rest = cacheKey![(at + TemplateMarker.Length)..];
        var separator = rest.IndexOf(':', StringComparison.Ordinal);
        if (separator > 0 && Guid.TryParseExact(rest[..separator], "N", out var enterpriseId))
        {
            templates.Evict(enterpriseId, rest[(separator + 1)..]);
        }
    }
}
