using System.Text.Json;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace XNovu.Core.Definitions;

public static class DefinitionExtensions
{
    /// <summary>
    /// Workflows, templates and their caches, shared by the API and the dispatcher: the static registry, the
    /// template engine over stored templates, and the definitions cache (FusionCache: process memory, Redis as
    /// the shared second level, and the Redis backplane that carries evictions to every process).
    /// </summary>
    /// <remarks>
    /// Redis accelerates and is never needed: each Redis operation is bounded by a soft and a hard timeout and
    /// runs in the background where it can, a circuit breaker stops asking a Redis that failed, and with
    /// fail-safe an entry past its lifetime still serves while PostgreSQL does not answer either.
    /// </remarks>
    public static IHostApplicationBuilder AddXNovuDefinitions(this IHostApplicationBuilder builder)
    {
        builder.AddStaticWorkflows();
        builder.Services.AddXNovuTemplates();
        builder.Services.TryAddSingleton<ILiquidTemplateSource, StoredTemplateSource>();
        builder.Services.AddOptions<DefinitionCacheOptions>()
            .BindConfiguration(DefinitionCacheOptions.SectionName)
            .Validate(o => o.Ttl > TimeSpan.Zero && o.RedisTimeout > TimeSpan.Zero && o.RedisCircuitBreak > TimeSpan.Zero,
                $"{DefinitionCacheOptions.SectionName}: Ttl, RedisTimeout and RedisCircuitBreak must be positive.")
            .ValidateOnStart();

        builder.Services.AddFusionCache()
            .WithOptions((sp, options) =>
            {
                var settings = sp.GetRequiredService<IOptions<DefinitionCacheOptions>>().Value;
                options.CacheKeyPrefix = "xnovu:definitions:";
                options.DistributedCacheCircuitBreakerDuration = settings.RedisCircuitBreak;
                options.BackplaneCircuitBreakerDuration = settings.RedisCircuitBreak;
                // Evictions published while Redis was away are sent again when it is back.
                options.EnableAutoRecovery = true;
                // A Redis outage is expected and survived: the circuit breaker's warnings say so, not a stack per call.
                options.DistributedCacheErrorsLogLevel = LogLevel.Debug;
                options.BackplaneErrorsLogLevel = LogLevel.Debug;
            })
            .WithPostSetup((sp, cache) =>
            {
                var settings = sp.GetRequiredService<IOptions<DefinitionCacheOptions>>().Value;
                var entry = cache.DefaultEntryOptions;
                entry.Duration = settings.Ttl;
                entry.IsFailSafeEnabled = true;
                entry.FailSafeMaxDuration = settings.FailSafeMaxDuration;
                entry.FailSafeThrottleDuration = TimeSpan.FromSeconds(10);
                entry.DistributedCacheSoftTimeout = settings.RedisTimeout;
                entry.DistributedCacheHardTimeout = settings.RedisTimeout * 4;
                entry.AllowBackgroundDistributedCacheOperations = true;
                entry.AllowBackgroundBackplaneOperations = true;
                cache.Events.Backplane.MessageReceived += (_, e) =>
                    DefinitionChangeNotifier.OnRemoteEviction(e.Message.CacheKey, sp.GetRequiredService<ITemplateEngine>());
            })
            .WithSerializer(new FusionCacheSystemTextJsonSerializer(new JsonSerializerOptions(JsonSerializerDefaults.Web)))
            .WithDistributedCache(sp => new RedisCache(Options.Create(new RedisCacheOptions
            {
                ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()),
            })))
            .WithBackplane(sp => new RedisBackplane(Options.Create(new RedisBackplaneOptions
            {
                ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()),
            })));

        builder.Services.AddSingleton<WorkflowDefinitionCache>();
        // An enterprise's default locale and translation catalogs, for renders (issue 30).
        builder.Services.AddOptions<Localization.LocalizationOptions>()
            .BindConfiguration(Localization.LocalizationOptions.SectionName)
            .Validate(o => o.CacheTtl > TimeSpan.Zero && o.CacheTtl <= TimeSpan.FromMinutes(10), $"{Localization.LocalizationOptions.SectionName}:CacheTtl must be between 0 and 10 minutes.")
            .ValidateOnStart();
        builder.Services.AddSingleton<Localization.LocalizationCache>();
        // What a Novu event is built from besides its notification, for the dispatcher and the API's size check.
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<XNovu.Core.Novu.EventContextStore>();
        builder.Services.AddSingleton<XNovu.Core.Novu.EnterpriseNames>();
        builder.Services.RemoveAll<IDefinitionChangeNotifier>();
        builder.Services.AddSingleton<IDefinitionChangeNotifier, DefinitionChangeNotifier>();
        return builder;
    }
}
