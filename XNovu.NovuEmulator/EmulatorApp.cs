using Microsoft.Extensions.Options;
using XNovu.NovuEmulator.Auth;
using XNovu.NovuEmulator.Events;
using XNovu.NovuEmulator.Faults;
using XNovu.NovuEmulator.Idempotency;
using XNovu.NovuEmulator.Inbox;
using XNovu.NovuEmulator.Inspection;
using XNovu.NovuEmulator.Messages;
using XNovu.NovuEmulator.RateLimiting;
using XNovu.NovuEmulator.Shared;
using XNovu.NovuEmulator.Subscribers;
using XNovu.NovuEmulator.Webhooks;
using XNovu.NovuEmulator.Workflows;

namespace XNovu.NovuEmulator;

/// <summary>The emulator's composition, shared by Program and by tests that host it in-process.</summary>
public static class EmulatorApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // Tests host it too; the entry assembly is then the test runner.
            ApplicationName = typeof(EmulatorApp).Assembly.GetName().Name,
        });

        builder.AddServiceDefaults();
        builder.Services.AddOptions<NovuEmulatorOptions>()
            .BindConfiguration(NovuEmulatorOptions.SectionName)
            .Validate(o => !string.IsNullOrWhiteSpace(o.SecretKey), $"{NovuEmulatorOptions.SectionName}:SecretKey is required.")
            .Validate(o => o.RateLimit.RequestsPerSecond >= 0, $"{NovuEmulatorOptions.SectionName}:RateLimit:RequestsPerSecond must be 0 (off) or more.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EventStore>();
        builder.Services.AddSingleton<EventEndpoints.Recorder>();
        builder.Services.AddSingleton<SubscriberStore>();
        builder.Services.AddSingleton<WorkflowStore>();
        builder.Services.AddSingleton<PreferenceStore>();
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddSingleton<FaultStore>();
        builder.Services.AddSingleton<RequestLog>();
        builder.Services.AddSingleton<TriggerRateLimiter>();
        builder.Services.AddSingleton<MessageStore>();
        builder.Services.AddSingleton<WebhookSettings>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        builder.Services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15));
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = NovuApi.Json.DefaultIgnoreCondition;
        });
        builder.Services.AddProblemDetails();

        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();

        // Order matters as in Novu: log every attempt, then outages, auth, rate limit, idempotency.
        app.UseWhen(context => NovuApi.IsNovuRoute(context.Request.Path), novu =>
        {
            RequestLog.UseRequestLog(novu);
            novu.UseFaults();
            novu.UseNovuApiKey();
            novu.UseTriggerRateLimit();
            novu.UseNovuIdempotency();
        });

        app.MapEvents();
        app.MapSubscribers();
        app.MapSubscriberPreferences();
        app.MapInboxApi();
        app.MapWorkflows();
        app.MapMessages();
        if (app.Services.GetRequiredService<IOptions<NovuEmulatorOptions>>().Value.DevelopmentEndpoints)
        {
            app.MapInspection();
            app.MapFaults();
            app.MapWebhooks();
            app.MapInbox();
        }

        app.MapFallback("/v1/{**rest}", NotFound);
        app.MapFallback("/v2/{**rest}", NotFound);
        return app;
    }

    private static IResult NotFound(HttpContext context) =>
        NovuApi.Error(context, StatusCodes.Status404NotFound, $"Cannot {context.Request.Method} {context.Request.Path}");
}
