using XNovu.Core.Preferences;

namespace XNovu.Api.Preferences;

public static class PreferenceExtensions
{
    /// <summary>Subscriber preferences, enterprise defaults, workflow preference settings and workflows' digests.</summary>
    public static IHostApplicationBuilder AddXNovuPreferences(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PreferenceStore>();
        builder.Services.AddSingleton<PreferenceSnapshotStore>();
        builder.Services.AddSingleton<XNovu.Api.Digests.DigestSettingsStore>();
        builder.Services.AddUnsubscribeLinks();
        return builder;
    }
}
