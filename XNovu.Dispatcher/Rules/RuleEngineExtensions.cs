using Microsoft.Extensions.DependencyInjection.Extensions;
using XNovu.Core.Persistence;
using XNovu.Dispatcher.Dispatch;

namespace XNovu.Dispatcher.Rules;

public static class RuleEngineExtensions
{
    /// <summary>The CRON and SCHEDULE rule engine, woken by rule changes, with a heartbeat for its status.</summary>
    public static IHostApplicationBuilder AddRuleEngine(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RuleEngineOptions>()
            .BindConfiguration(RuleEngineOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.MisfireThreshold > TimeSpan.Zero, "XNovu:RuleEngine:MisfireThreshold must be positive.")
            .Validate(o => o.ReloadInterval >= TimeSpan.FromSeconds(1), "XNovu:RuleEngine:ReloadInterval must be at least 1 s.")
            .Validate(o => o.HeartbeatInterval >= TimeSpan.FromSeconds(1), "XNovu:RuleEngine:HeartbeatInterval must be at least 1 s.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RuleStore>();
        builder.Services.AddSingleton<RuleEngineSignal>();
        builder.Services.AddSingleton<RuleEngineState>();

        var enabled = builder.Configuration.GetValue($"{RuleEngineOptions.SectionName}:{nameof(RuleEngineOptions.Enabled)}", true);
        if (enabled)
        {
            // Rule changes and reload requests arrive by NOTIFY on the dispatcher's one LISTEN connection.
            builder.Services.AddSingleton(sp => new DatabaseChannel(NotifyChannels.Rules, sp.GetRequiredService<RuleEngineSignal>().RequestReload));
            builder.Services.AddHostedService<RuleScheduler>();
            builder.Services.AddHostedService<RuleEngineHeartbeat>();
        }

        return builder;
    }
}
