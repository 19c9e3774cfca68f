using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace XNovu.Core.History;

public static class HistoryHealthExtensions
{
    /// <summary>The history partitions' watch (one cached catalog reading and its gauge), with its options checked at start.</summary>
    public static IHostApplicationBuilder AddHistoryPartitionWatch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HistoryHealthOptions>()
            .BindConfiguration(HistoryHealthOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.UnhealthyWithin >= TimeSpan.Zero && o.UnhealthyWithin <= TimeSpan.FromDays(1),
                "XNovu:HistoryHealth:UnhealthyWithin must be 0 to 1 day.")
            .Validate(o => o.CacheDuration >= TimeSpan.Zero && o.CacheDuration <= TimeSpan.FromMinutes(10),
                "XNovu:HistoryHealth:CacheDuration must be 0 to 10 min.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<HistoryPartitionWatch>();
        return builder;
    }
}
