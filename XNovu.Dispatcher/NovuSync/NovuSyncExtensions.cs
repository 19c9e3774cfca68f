using XNovu.Dispatcher.Dispatch;

namespace XNovu.Dispatcher.NovuSync;

public static class NovuSyncExtensions
{
    public static void AddNovuSync(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NovuSyncOptions>()
            .BindConfiguration(NovuSyncOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<NovuSyncStore>();
        builder.Services.AddSingleton<NovuWorkflowSync>();
        builder.Services.AddKeyedSingleton<DispatchSignal>(NovuSyncWorker.Channel);
        builder.Services.AddSingleton(sp => new DatabaseChannel(
            NovuSyncWorker.Channel, sp.GetRequiredKeyedService<DispatchSignal>(NovuSyncWorker.Channel).Wake));
        builder.Services.AddHostedService<NovuSyncWorker>();
    }
}
