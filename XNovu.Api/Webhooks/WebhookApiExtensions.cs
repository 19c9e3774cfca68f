namespace XNovu.Api.Webhooks;

public static class WebhookApiExtensions
{
    public static IHostApplicationBuilder AddXNovuWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookApiOptions>()
            .BindConfiguration(WebhookApiOptions.SectionName)
            .Validate(o => o.SecretOverlap >= TimeSpan.Zero && o.SecretOverlap <= TimeSpan.FromDays(30), $"{WebhookApiOptions.SectionName}:SecretOverlap must be between 0 and 30 days.")
            .Validate(o => o.MaxEndpointsPerEnterprise is >= 1 and <= 1000, $"{WebhookApiOptions.SectionName}:MaxEndpointsPerEnterprise must be between 1 and 1000.")
            .ValidateOnStart();
        builder.Services.AddSingleton<WebhookStore>();
        return builder;
    }
}
