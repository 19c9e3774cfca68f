using Microsoft.Extensions.Options;
using XNovu.Core.Persistence;
using XNovu.Dispatcher.Dispatch;

namespace XNovu.Dispatcher.Webhooks;

public static class WebhookExtensions
{
    /// <summary>The enterprises' outbound webhooks: options, the guarded HTTP clients, the outbox store and the sender.</summary>
    public static void AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.Schedule.Count > 0 && o.Schedule.All(t => t >= TimeSpan.Zero && t <= TimeSpan.FromDays(2)),
                $"{WebhookOptions.SectionName}:RetrySchedule must hold waits between 0 and 2 days.")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new WebhookHttp(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.Timeout));
        builder.Services.AddSingleton<WebhookStore>();
        builder.Services.AddSingleton<WebhookSignal>();
        builder.Services.AddSingleton(sp => new DatabaseChannel(NotifyChannels.Webhooks, sp.GetRequiredService<WebhookSignal>().Wake));
        builder.Services.AddHostedService<WebhookSender>();
    }
}
