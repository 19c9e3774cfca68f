using XNovu.Core.Workflows;
using ZiggyCreatures.Caching.Fusion;

namespace XNovu.Core.Definitions;

public sealed class DefinitionCacheOptions
{
    public const string SectionName = "XNovu:DefinitionCache";

    /// <summary>How long a resolved workflow is fresh in process and in Redis; evictions usually come first.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a stale entry may still serve while PostgreSQL does not answer (FusionCache fail-safe).</summary>
    public TimeSpan FailSafeMaxDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest one Redis read may delay a lookup before the database is asked instead.</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>After a Redis failure, how long the cache stops asking Redis at all.</summary>
    public TimeSpan RedisCircuitBreak { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Workflows with their templates, through FusionCache: this process's memory, then Redis (shared by every
/// replica), then <see cref="WorkflowResolver"/> over PostgreSQL, one load per key at a time. Every entry is
/// tagged with its enterprise, so a change to any definition of an enterprise evicts that enterprise's
/// workflows everywhere (<see cref="DefinitionChangeNotifier"/>). Redis only accelerates: without it,
/// lookups go to PostgreSQL.
/// </summary>
public sealed class WorkflowDefinitionCache(WorkflowResolver resolver, IFusionCache cache)
{
    public static string EnterpriseTag(Guid enterpriseId) => $"enterprise:{enterpriseId:N}";

    public ValueTask EvictEnterpriseAsync(Guid enterpriseId, CancellationToken cancellationToken = default) =>
        cache.RemoveByTagAsync(EnterpriseTag(enterpriseId), token: cancellationToken);

    public async Task<ResolvedWorkflow?> GetAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<ResolvedWorkflow?>(
            $"workflow:{enterpriseId:N}:{workflowKey}",
            (_, token) => resolver.ResolveAsync(enterpriseId, workflowKey, token),
            tags: [EnterpriseTag(enterpriseId)],
            token: cancellationToken);
}
