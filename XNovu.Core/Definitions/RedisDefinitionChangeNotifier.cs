using System.Text.Json;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;

namespace XNovu.Core.Definitions;

/// <summary>What a definition change says to every instance.</summary>
internal sealed record DefinitionChange(Guid EnterpriseId, string Kind, string Key);

/// <summary>
/// Evicts a changed template or workflow everywhere: here at once, in Redis (the shared level), and in every
/// other process through a pub/sub message that <see cref="DefinitionEvictionListener"/> receives.
/// A template change evicts the enterprise's workflows too, since a resolved workflow embeds its templates.
/// </summary>
public sealed class RedisDefinitionChangeNotifier(
    IConnectionMultiplexer redis, WorkflowDefinitionCache workflows, ITemplateEngine templates) : IDefinitionChangeNotifier
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("xnovu:definitions:changed");

    public Task TemplateChangedAsync(Guid enterpriseId, string templateKey, CancellationToken cancellationToken) =>
        PublishAsync(new DefinitionChange(enterpriseId, "template", templateKey));

    public Task WorkflowChangedAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken) =>
        PublishAsync(new DefinitionChange(enterpriseId, "workflow", workflowKey));

    private async Task PublishAsync(DefinitionChange change)
    {
        DefinitionEvictionListener.Apply(change, workflows, templates);
        await redis.GetDatabase().KeyDeleteAsync(WorkflowDefinitionCache.RedisKeyFor(change.EnterpriseId));
        await redis.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(change));
    }
}

public sealed class DefinitionEvictionListener(
    IConnectionMultiplexer redis, WorkflowDefinitionCache workflows, ITemplateEngine templates) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        redis.GetSubscriber().SubscribeAsync(RedisDefinitionChangeNotifier.Channel, (_, message) =>
        {
            if (message.HasValue && JsonSerializer.Deserialize<DefinitionChange>((string)message!) is { } change)
            {
                Apply(change, workflows, templates);
            }
        });

    public Task StopAsync(CancellationToken cancellationToken) =>
        redis.GetSubscriber().UnsubscribeAsync(RedisDefinitionChangeNotifier.Channel);

    internal static void Apply(DefinitionChange change, WorkflowDefinitionCache workflows, ITemplateEngine templates)
    {
        workflows.EvictEnterprise(change.EnterpriseId);
        if (change.Kind == "template")
        {
            templates.Evict(change.EnterpriseId, change.Key);
        }
    }
}
