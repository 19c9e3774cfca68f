namespace XNovu.Api.NovuWebhooks;

public static class NovuWebhookExtensions
{
    public static IHostApplicationBuilder AddXNovuNovuWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NovuWebhookOptions>()
            .BindConfiguration(NovuWebhookOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.SharedSecrets.All(XNovu.Core.Webhooks.StandardWebhook.IsValidSecret),
                $"{NovuWebhookOptions.SectionName}:SharedSecret must be whsec_ secrets (base64 of 24 to 64 bytes), space-separated.")
            .ValidateOnStart();
        builder.Services.AddSingleton<NovuWebhookStore>();
        builder.Services.AddSingleton<NovuWebhookBatcher>();
        builder.Services.AddSingleton<NovuWebhookReceiver>();
        // preference.updated: a change made in Novu's Inbox comes back (XNovu.Api/Preferences).
        builder.Services.AddSingleton<Preferences.NovuPreferenceReadBack>();
        return builder;
    }
}
