using Microsoft.Extensions.Options;
using XNovu.Core.History;

namespace XNovu.Api.Operations;

public static class OperationsExtensions
{
    public static IHostApplicationBuilder AddXNovuOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperationsOptions>()
            .BindConfiguration(OperationsOptions.SectionName)
            .Validate(o => o.ProbeTimeout > TimeSpan.Zero && o.ProbeTimeout <= TimeSpan.FromSeconds(30), "XNovu:Operations:ProbeTimeout must be between 0 and 30 seconds.")
            .Validate(o => o.NovuCheckCacheDuration >= TimeSpan.Zero && o.NovuCheckCacheDuration <= TimeSpan.FromMinutes(5), "XNovu:Operations:NovuCheckCacheDuration must be between 0 and 5 minutes.")
            .Validate(o => o.MaxDueDeliveryAge >= TimeSpan.FromSeconds(1), "XNovu:Operations:MaxDueDeliveryAge must be at least 1 second.")
            .Validate(o => o.BacklogRefreshInterval >= TimeSpan.FromSeconds(1), "XNovu:Operations:BacklogRefreshInterval must be at least 1 second.")
            .Validate(o => o.RetryFailedMaxLimit >= 1 && o.RetryFailedDefaultLimit >= 1 && o.RetryFailedDefaultLimit <= o.RetryFailedMaxLimit,
                "XNovu:Operations:RetryFailedDefaultLimit must be between 1 and RetryFailedMaxLimit.")
            .ValidateOnStart();
        builder.Services.AddSingleton<OperationsStore>();
        builder.Services.AddSingleton<NovuProbe>();
        // The history partitions' part of /api/health, and the gauge of days made ahead. Not in this process's
        // readiness (/health): every replica would leave the load balancer at once, refusing reads too, for what
        // only the dispatchers' retention pass can mend.
        builder.AddHistoryPartitionWatch();
        builder.Services.AddSingleton<SystemHealth>();
        builder.Services.AddSingleton<BacklogMonitor>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<BacklogMonitor>());
        return builder;
    }
}
