using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace XNovu.Core.Templates;

public static class TemplateServiceCollectionExtensions
{
    /// <summary>
    /// The template engine as a singleton (its cache is per process), with options from
    /// <c>XNovu:Templates</c> checked at start. An <see cref="ILiquidTemplateSource"/> must be registered too.
    /// </summary>
    public static IServiceCollection AddXNovuTemplates(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<TemplateEngineOptions>()
            .BindConfiguration(TemplateEngineOptions.SectionName)
            .Validate(options => !options.Problems().Any(), "XNovu:Templates is invalid: CacheTtl and RenderTimeout must be positive; MaxIncludeDepth, MaxCachedTemplates, MaxCachedBodies and MaxLoopIterations at least 1; MaxOutputLength at least 1024; EnterpriseRenderBurst at least RenderTimeout; EnterpriseRenderShare above 0 and at most 64; EnterpriseRenderConcurrency at least 1.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LiquidTemplateEngine>();
        services.TryAddSingleton<ITemplateEngine>(provider => provider.GetRequiredService<LiquidTemplateEngine>());
        return services;
    }
}
