using Microsoft.Extensions.DependencyInjection.Extensions;

namespace XNovu.Dispatcher.Retention;

public static class RetentionExtensions
{
    /// <summary>The retention job, with its options bound from <c>XNovu:Retention</c> and checked at start.</summary>
    public static IHostApplicationBuilder AddRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>()
            .BindConfiguration(RetentionOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.MaxAge >= TimeSpan.FromHours(1), "XNovu:Retention:MaxAge must be at least 1 hour.")
            .Validate(o => o.WebhookMessageMaxAge >= TimeSpan.FromHours(1) && o.WebhookAttemptMaxAge >= TimeSpan.FromHours(1)
                           && o.OutcomePollMaxAge >= TimeSpan.FromHours(1),
                "XNovu:Retention:WebhookMessageMaxAge, WebhookAttemptMaxAge and OutcomePollMaxAge must be at least 1 hour.")
            .Validate(o => o.Interval >= TimeSpan.FromSeconds(1), "XNovu:Retention:Interval must be at least 1 s.")
            .Validate(o => o.BatchPause >= TimeSpan.Zero, "XNovu:Retention:BatchPause must not be negative.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (builder.Configuration.GetValue($"{RetentionOptions.SectionName}:{nameof(RetentionOptions.Enabled)}", true))
        {
            builder.Services.AddHostedService<RetentionWorker>();
        }

        return builder;
    }
}
