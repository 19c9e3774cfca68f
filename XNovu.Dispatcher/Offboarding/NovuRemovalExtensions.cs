using XNovu.Core.Novu;

namespace XNovu.Dispatcher.Offboarding;

public static class NovuRemovalExtensions
{
    public static void AddNovuRemoval(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NovuRemovalOptions>()
            .BindConfiguration(NovuRemovalOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<NovuRemovalStore>();
        builder.Services.AddHostedService<NovuRemovalWorker>();
    }
}
