using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using XNovu.Core.Workflows;

namespace XNovu.Core.Definitions;

public sealed class DefinitionCacheOptions
{
    public const string SectionName = "XNovu:DefinitionCache";

    /// <summary>How long a resolved workflow lives in process and in Redis; evictions usually come first.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Workflows with their templates, from a two-level cache: this process's memory, then Redis (shared by
/// every replica), then PostgreSQL. A change to any definition of an enterprise evicts that enterprise
/// everywhere (<see cref="RedisDefinitionChangeNotifier"/>): Redis entries are deleted and every process
/// drops its in-memory copies when the pub/sub message arrives.
/// </summary>
public sealed class WorkflowDefinitionCache(
    WorkflowResolver resolver,
    IConnectionMultiplexer redis,
    IMemoryCache memory,
    IOptions<DefinitionCacheOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // A per-enterprise generation in the in-memory key: bumping it evicts every entry of that enterprise.
    private readonly ConcurrentDictionary<Guid, long> _generations = new();

    public static RedisKey RedisKeyFor(Guid enterpriseId) => $"xnovu:workflows:{enterpriseId}";

    public void EvictEnterprise(Guid enterpriseId) => _generations.AddOrUpdate(enterpriseId, 1, (_, g) => g + 1);

    public async Task<ResolvedWorkflow?> GetAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken)
    {
        var memoryKey = (enterpriseId, workflowKey, _generations.GetValueOrDefault(enterpriseId));
        if (memory.TryGetValue(memoryKey, out ResolvedWorkflow? cached))
        {
            return cached;
        }

        var db = redis.GetDatabase();
        ResolvedWorkflow? resolved = null;
        var shared = await db.HashGetAsync(RedisKeyFor(enterpriseId), workflowKey);
        if (shared.HasValue)
        {
            resolved = JsonSerializer.Deserialize<ResolvedWorkflow?>((string)shared!, Json);
        }
        else
        {
            resolved = await resolver.ResolveAsync(enterpriseId, workflowKey, cancellationToken);
            var batch = db.CreateBatch();
            var set = batch.HashSetAsync(RedisKeyFor(enterpriseId), workflowKey, JsonSerializer.Serialize(resolved, Json));
            var expire = batch.KeyExpireAsync(RedisKeyFor(enterpriseId), options.Value.Ttl);
            batch.Execute();
            await Task.WhenAll(set, expire);
        }

        memory.Set(memoryKey, resolved, options.Value.Ttl);
        return resolved;
    }
}
