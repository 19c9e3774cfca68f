using Microsoft.Extensions.DependencyInjection.Extensions;

namespace XNovu.Api.Triggers;

public static class TriggerExtensions
{
    public static IHostApplicationBuilder AddXNovuTriggers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TriggerOptions>()
            .BindConfiguration(TriggerOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
                options.DefaultSubscriberId ??= configuration["XNovu:Novu:DefaultSubscriberId"])
            .Validate(o => o.MaxPayloadBytes > 0 && o.MaxRecipients is > 0 and <= XNovu.Core.Validation.Recipients.MaxCount && o.MaxTags >= 0 && o.MaxBulkEvents > 0,
                $"{TriggerOptions.SectionName}: MaxPayloadBytes and MaxBulkEvents must be positive, MaxRecipients 1 to 100.")
            .Validate(o => o.MaxBulkRequestBytes >= o.MaxPayloadBytes,
                $"{TriggerOptions.SectionName}:MaxBulkRequestBytes must hold at least one largest payload.")
            .Validate(o => o.IdempotencyWindow > TimeSpan.Zero && o.IdempotencyPurgeInterval > TimeSpan.Zero,
                $"{TriggerOptions.SectionName}: IdempotencyWindow and IdempotencyPurgeInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<TriggerCommitOptions>()
            .BindConfiguration(TriggerCommitOptions.SectionName)
            .Validate(o => o.MaxBatchSize is >= 1 and <= 1000 && o.Writers is >= 1 and <= 16
                    && o.MaxWait >= TimeSpan.Zero && o.MaxWait <= TimeSpan.FromMilliseconds(10)
                    && o.LookupCacheTtl >= TimeSpan.Zero && o.LookupCacheTtl <= TimeSpan.FromMinutes(10)
                    && o.LockTimeout >= TimeSpan.FromMilliseconds(1) && o.LockTimeout <= TimeSpan.FromSeconds(5)
                    && o.MaxAlonePerEnterprise is >= 1 and <= 64,
                $"{TriggerCommitOptions.SectionName}: MaxBatchSize must be 1 to 1000, Writers 1 to 16, MaxWait 0 to 10 ms, LookupCacheTtl 0 to 10 minutes, LockTimeout 1 ms to 5 s, MaxAlonePerEnterprise 1 to 64.")
            .ValidateOnStart();
        builder.Services.AddMemoryCache();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PayloadSchemaValidator>();
        builder.Services.AddSingleton<TriggerChecks>();
        builder.Services.AddSingleton<EventFitCheck>();
        builder.Services.AddSingleton(services => new DispatchWake(
            services.GetRequiredService<XNovu.Core.Persistence.XNovuDatabase>(), services.GetRequiredService<ILogger<DispatchWake>>()));
        builder.Services.AddSingleton<TriggerStore>();
        builder.Services.AddSingleton<ITriggerStore>(services => services.GetRequiredService<TriggerStore>());
        builder.Services.AddSingleton<TriggerCommitWriter>();
        builder.Services.AddSingleton<TriggerResend>();
        builder.Services.AddSingleton<IdempotencyKeyStore>();
        builder.Services.AddHostedService<IdempotencyKeyPurger>();
        return builder;
    }
}
