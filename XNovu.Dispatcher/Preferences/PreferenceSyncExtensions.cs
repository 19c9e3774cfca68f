using XNovu.Core.Preferences;

namespace XNovu.Dispatcher.Preferences;

public static class PreferenceSyncExtensions
{
    public static void AddPreferenceSync(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PreferenceSyncOptions>()
            .BindConfiguration(PreferenceSyncOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<PreferenceSyncStore>();
        builder.Services.AddHostedService<PreferenceSyncWorker>();
    }
}
