using Microsoft.Extensions.Hosting;
using XNovu.Core;
using XNovu.Core.Definitions;
using XNovu.Core.History;
using XNovu.Core.Novu;
using XNovu.Core.Persistence;
using XNovu.Core.Preferences;
using XNovu.Dispatcher.DeliveryPoll;
using XNovu.Dispatcher.Dispatch;
using XNovu.Dispatcher.NovuSync;
using XNovu.Dispatcher.Offboarding;
using XNovu.Dispatcher.Preferences;
using XNovu.Dispatcher.Retention;
using XNovu.Dispatcher.Rules;
using XNovu.Dispatcher.Webhooks;

namespace XNovu.Dispatcher.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddXNovuData(DataExtensions.DispatcherConnectionName);
        builder.AddXNovuDefinitions();
        // The shared Novu environment and each enterprise's own; the dispatcher only decrypts their keys.
        builder.AddXNovuNovuEnvironments(createsKeys: false);

        builder.Services.AddOptions<DispatcherOptions>()
            .BindConfiguration(DispatcherOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
                options.DefaultSubscriberId ??= configuration["XNovu:Novu:DefaultSubscriberId"])
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DispatcherOptions>>().Value);
        builder.Services.AddSingleton<RetryPolicy>();
        builder.Services.AddSingleton<DispatchSignal>();
        builder.Services.AddKeyedSingleton(DeliveryStore.DataSourceKey, (sp, _) => PostgresDataSources.Create(
            builder.Configuration.GetConnectionString(DataExtensions.DispatcherConnectionName)!,
            sp.GetRequiredService<ILoggerFactory>(),
            DeliveryStore.ConfigureDataSource));
        builder.Services.AddSingleton<DeliveryStore>();
        builder.Services.AddSingleton<XNovu.Dispatcher.Subscribers.SubscriberProfileStore>();
        builder.Services.AddSingleton<RenderingStore>();
        builder.Services.AddSingleton<XNovu.Core.Preferences.PreferenceSnapshotStore>();
        builder.Services.AddSingleton<XNovu.Dispatcher.Digests.DigestStore>();
        builder.Services.AddSingleton<DeliveryProcessor>();
        builder.Services.AddSingleton(sp => new DatabaseChannel(NotifyChannels.Dispatch, sp.GetRequiredService<DispatchSignal>().Wake));
        builder.Services.AddSingleton(sp => new DatabaseChannel(NotifyChannels.NovuEnvironment, sp.GetRequiredService<NovuEnvironments>().Invalidate));
        builder.Services.AddKeyedSingleton(DatabaseNotificationListener.DataSourceKey, (sp, _) =>
            DatabaseNotificationListener.CreateDataSource(
                builder.Configuration.GetConnectionString(DataExtensions.DispatcherListenConnectionName)
                    ?? builder.Configuration.GetConnectionString(DataExtensions.DispatcherConnectionName)!,
                sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddHostedService<DatabaseNotificationListener>();
        builder.Services.AddSingleton<DispatchLoops>();
        builder.Services.AddHostedService<DispatchWorker>();
        builder.Services.AddHostedService<DispatcherHeartbeat>();
        builder.Services.AddHealthChecks()
            .AddCheck<DispatchLoopsHealthCheck>("dispatch-loops")
            .AddCheck<DispatchProgressHealthCheck>("dispatch-progress", tags: [HealthCheckExtensions.LiveTag])
            // Readiness only: a restart would not make partitions, and this replica's retention pass may be what does.
            .AddCheck<HistoryPartitionsHealthCheck>("history-partitions");
        builder.AddHistoryPartitionWatch();
        builder.AddNovuSync();
        builder.AddNovuRemoval();
        builder.AddPreferenceSync();
        builder.Services.AddUnsubscribeLinks();
        builder.AddRuleEngine();
        builder.AddRetention();
        builder.AddWebhooks();
        builder.AddDeliveryPoll();
    }
}
