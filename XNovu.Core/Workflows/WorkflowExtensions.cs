using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace XNovu.Core.Workflows;

public static class WorkflowExtensions
{
    /// <summary>
    /// The static workflow registry, loaded here (at start, not at first use) so that a broken file stops
    /// the service at once; and a change notifier that does nothing until a cache registers a real one.
    /// </summary>
    public static IHostApplicationBuilder AddStaticWorkflows(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(StaticWorkflowRegistry.LoadEmbedded());
        builder.Services.TryAddSingleton<WorkflowResolver>();
        builder.Services.TryAddSingleton<IDefinitionChangeNotifier, NoDefinitionCache>();
        return builder;
    }

    private sealed class NoDefinitionCache : IDefinitionChangeNotifier
    {
        public Task TemplateChangedAsync(Guid enterpriseId, string templateKey, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WorkflowChangedAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
