using System.Text.Json;
using Dapper;
using XNovu.Core.Persistence;
using XNovu.Core.Templates;
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
/// replica), then PostgreSQL, one load per key at a time. Every entry is tagged with its enterprise, so a
/// change to any definition of an enterprise evicts that enterprise's workflows everywhere
/// (<see cref="DefinitionChangeNotifier"/>). Redis only accelerates: without it, lookups go to PostgreSQL.
/// </summary>
public sealed class WorkflowDefinitionCache(XNovuDatabase database, StaticWorkflowRegistry registry, IFusionCache cache)
{
    public static string EnterpriseTag(Guid enterpriseId) => $"enterprise:{enterpriseId:N}";

    public ValueTask EvictEnterpriseAsync(Guid enterpriseId, CancellationToken cancellationToken = default) =>
        cache.RemoveByTagAsync(EnterpriseTag(enterpriseId), token: cancellationToken);

    public async Task<ResolvedWorkflow?> GetAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<ResolvedWorkflow?>(
            $"workflow:{enterpriseId:N}:{workflowKey}",
            (_, token) => LoadAsync(enterpriseId, workflowKey, token),
            tags: [EnterpriseTag(enterpriseId)],
            token: cancellationToken);

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
                """
                SELECT template_key AS TemplateKey, channel_type::text AS ChannelType, subject_template AS SubjectTemplate,
                       body_template AS BodyTemplate, updated_at AS UpdatedAt
                FROM notify.ent_notification_template
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
                            new DateTimeOffset(DateTime.SpecifyKind(row.UpdatedAt, DateTimeKind.Utc)))
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

    private sealed record TemplateRow(string TemplateKey, string ChannelType, string? SubjectTemplate, string BodyTemplate, DateTime UpdatedAt);
}
