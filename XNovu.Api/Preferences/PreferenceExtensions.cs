using XNovu.Core.Preferences;

namespace XNovu.Api.Preferences;

public static class PreferenceExtensions
{
    /// <summary>Subscriber preferences, enterprise defaults and workflow preference settings.</summary>
    public static IHostApplicationBuilder AddXNovuPreferences(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PreferenceStore>();
        builder.Services.AddSingleton<PreferenceSnapshotStore>();
        return builder;
    }
}
