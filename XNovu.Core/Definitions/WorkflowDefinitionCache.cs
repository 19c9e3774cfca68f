using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using XNovu.Core.Persistence;
using XNovu.Core.Templates;
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
    XNovuDatabase database,
    StaticWorkflowRegistry registry,
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
            resolved = await LoadAsync(enterpriseId, workflowKey, cancellationToken);
            var batch = db.CreateBatch();
            var set = batch.HashSetAsync(RedisKeyFor(enterpriseId), workflowKey, JsonSerializer.Serialize(resolved, Json));
            var expire = batch.KeyExpireAsync(RedisKeyFor(enterpriseId), options.Value.Ttl);
            batch.Execute();
            await Task.WhenAll(set, expire);
        }

        memory.Set(memoryKey, resolved, options.Value.Ttl);
        return resolved;
    }

    private async Task<ResolvedWorkflow?> LoadAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken)
    {
        var own = await database.InTenantAsync(enterpriseId, async session =>
        {
            var workflow = await session.Connection.QuerySingleOrDefaultAsync<WorkflowRow>(
                """
                SELECT workflow_key AS WorkflowKey, publish_status::text AS PublishStatus, deactivated,
                       version, default_channels::text[] AS Channels, template_overrides::text AS TemplateOverrides
                FROM notify.ent_notification_workflow WHERE workflow_key = @workflowKey
                """,
                new { workflowKey }, session.Transaction);
            if (workflow is null)
            {
                return null;
            }

            var overrides = JsonSerializer.Deserialize<Dictionary<string, string>>(workflow.TemplateOverrides) ?? [];
            var keys = overrides.Values.Distinct().ToArray();
            var templates = (await session.Connection.QueryAsync<TemplateRow>(
                $"""
                SELECT template_key AS TemplateKey, channel_type::text AS ChannelType, subject_template AS SubjectTemplate,
                       body_template AS BodyTemplate, updated_at AS UpdatedAt, {StoredTemplateSource.PayloadAtRootColumn}
                FROM notify.ent_notification_template t
                WHERE template_key = ANY(@keys) AND publish_status = 'PUBLISH' AND NOT deactivated
                """,
                new { keys }, session.Transaction)).ToDictionary(t => t.TemplateKey);

            var channels = workflow.Channels
                .Select(name => NotificationChannelNames.TryParse(name, out var channel) ? channel : (NotificationChannel?)null)
                .OfType<NotificationChannel>()
                .Select(channel => new ChannelTemplate(
                    channel,
                    overrides.TryGetValue(channel.ToWireName(), out var key) && templates.TryGetValue(key, out var row)
                        && NotificationChannelNames.TryParse(row.ChannelType, out var templateChannel)
                        ? new TemplateDefinition(enterpriseId, row.TemplateKey, templateChannel, row.SubjectTemplate, row.BodyTemplate,
                            new DateTimeOffset(DateTime.SpecifyKind(row.UpdatedAt, DateTimeKind.Utc)), row.PayloadAtRoot)
                        : null))
                .ToList();
            return new ResolvedWorkflow(
                workflow.WorkflowKey, IsStatic: false, workflow.PublishStatus == "PUBLISH", workflow.Deactivated, workflow.Version, channels);
        }, cancellationToken);

        return own ?? ResolveStatic(workflowKey);
    }

    private ResolvedWorkflow? ResolveStatic(string workflowKey)
    {
        if (registry.FindWorkflow(workflowKey) is not { } workflow)
        {
            return null;
        }

        var channels = workflow.DefaultChannels
            .Select(name => NotificationChannelNames.TryParse(name, out var channel) ? channel : (NotificationChannel?)null)
            .OfType<NotificationChannel>()
            .Select(channel => new ChannelTemplate(
                channel,
                workflow.TemplateOverrides.TryGetValue(channel.ToWireName(), out var key)
                    && registry.FindTemplate(key) is { } template
                    ? new TemplateDefinition(null, template.TemplateKey, channel, template.SubjectTemplate, template.BodyTemplate, DateTimeOffset.UnixEpoch)
                    : null))
            .ToList();
        return new ResolvedWorkflow(workflow.WorkflowKey, IsStatic: true, Published: true, Deactivated: false, Version: 1, channels);
    }

    // A class, not a positional record: Dapper maps array columns only onto properties.
    private sealed class WorkflowRow
    {
        public string WorkflowKey { get; init; } = string.Empty;
        public string PublishStatus { get; init; } = string.Empty;
        public bool Deactivated { get; init; }
        public int Version { get; init; }
        public string[] Channels { get; init; } = [];
        public string TemplateOverrides { get; init; } = "{}";
    }

    private sealed record TemplateRow(
        string TemplateKey, string ChannelType, string? SubjectTemplate, string BodyTemplate, DateTime UpdatedAt, bool PayloadAtRoot);
}
