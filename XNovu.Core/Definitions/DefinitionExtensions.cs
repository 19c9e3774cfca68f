using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;

namespace XNovu.Core.Definitions;

public static class DefinitionExtensions
{
    /// <summary>
    /// Workflows, templates and their caches, shared by the API and the dispatcher: the static registry, the
    /// template engine over stored templates, the two-level workflow cache and cross-instance eviction.
    /// </summary>
    public static IHostApplicationBuilder AddXNovuDefinitions(this IHostApplicationBuilder builder)
    {
        builder.AddStaticWorkflows();
        builder.Services.AddXNovuTemplates();
        builder.Services.TryAddSingleton<ILiquidTemplateSource, StoredTemplateSource>();
        builder.Services.AddMemoryCache();
        builder.Services.AddOptions<DefinitionCacheOptions>().BindConfiguration(DefinitionCacheOptions.SectionName);
        builder.Services.AddSingleton<WorkflowDefinitionCache>();
        builder.Services.RemoveAll<IDefinitionChangeNotifier>();
        builder.Services.AddSingleton<IDefinitionChangeNotifier, RedisDefinitionChangeNotifier>();
        builder.Services.AddHostedService<DefinitionEvictionListener>();
        return builder;
    }
}
