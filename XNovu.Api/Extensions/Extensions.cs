using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using XNovu.Api.Audit;
using XNovu.Api.Authentication;
using XNovu.Api.Enterprises;
using XNovu.Api.Events;
using XNovu.Api.Http;
using XNovu.Api.Layouts;
using XNovu.Api.Localization;
using XNovu.Api.Lookups;
using XNovu.Api.Notifications;
using XNovu.Api.NovuSync;
using XNovu.Api.NovuWebhooks;
using XNovu.Api.OpenApi;
using XNovu.Api.Operations;
using XNovu.Api.OriginalIds;
using XNovu.Api.RateLimiting;
using XNovu.Api.RuleEngine;
using XNovu.Api.Rules;
using XNovu.Api.Digests;
using XNovu.Api.Preferences;
using XNovu.Api.Subscribers;
using XNovu.Api.Templates;
using XNovu.Api.Topics;
using XNovu.Api.Triggers;
using XNovu.Api.Versions;
using XNovu.Api.Webhooks;
using XNovu.Api.Workflows;
using Scalar.AspNetCore;
using XNovu.Core;
using XNovu.Core.Definitions;
using XNovu.Core.Novu;

namespace XNovu.Api.Extensions;

internal static class Extensions
{
    /// <summary>Management bodies larger than this are refused with 413 before they are read.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddXNovuData(DataExtensions.ApiConnectionName);
        builder.AddXNovuAuthentication();
        builder.AddXNovuOffboarding();
        builder.AddXNovuEnterpriseRetention();
        // Workflows and templates (static and stored), the template engine, and their caches, evicted on
        // every write here and in every other instance.
        builder.AddXNovuDefinitions();
        builder.Services.AddSingleton<TemplatePreviewer>();
        // One store per feature holds that feature's SQL; the endpoints hold routes, binding and results.
        builder.Services.AddSingleton<EnterpriseStore>();
        builder.Services.AddSingleton<XNovu.Api.NovuSync.NovuSyncStore>();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<LookupStore>();
        builder.Services.AddSingleton<OriginalIdStore>();
        builder.Services.AddSingleton<TemplateStore>();
        builder.Services.AddSingleton<XNovu.Api.Versions.TemplateVersionStore>();
        builder.Services.AddSingleton<XNovu.Api.Versions.WorkflowVersionStore>();
        builder.Services.AddSingleton<XNovu.Api.Audit.AuditStore>();
        builder.Services.AddSingleton<XNovu.Api.Localization.TranslationStore>();
        builder.Services.AddSingleton<XNovu.Api.Layouts.LayoutStore>();
        builder.Services.AddSingleton<WorkflowStore>();
        builder.Services.AddSingleton<RuleStore>();
        builder.Services.AddSingleton<NotificationStore>();
        builder.Services.AddSingleton<RuleEngineStore>();
        builder.Services.AddSingleton<RateLimitStore>();
        builder.Services.AddSingleton<TemplateDefaultsStore>();
        builder.Services.AddSingleton<EnterpriseNovuStore>();
        // Triggers (stored before they are answered), their per-enterprise rate limit, and Novu for cancels.
        builder.AddXNovuTriggers();
        builder.AddXNovuTriggerRateLimiting();
        // Novu: the shared environment and each enterprise's own (bring your own Novu); the API encrypts their
        // keys and may add Data Protection keys to the ring the dispatchers read.
        builder.AddXNovuNovuEnvironments(createsKeys: true);
        // The subscriber directory (synced to Novu) and topics, which triggers expand into recipients.
        builder.AddXNovuSubscribersAndTopics();
        builder.AddXNovuPreferences();
        // EVENT rules fired by POST /api/events; the timed rules run in the dispatchers.
        builder.AddXNovuEvents();
        // Health, metrics, Novu's status, the backlog gauges and the operator's admin actions.
        builder.AddXNovuOperations();
        // Delivery status from Novu's webhooks, and the enterprises' own webhooks (issue 28).
        builder.AddXNovuNovuWebhooks();
        builder.AddXNovuWebhooks();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails(FrameworkProblems.Customize);
        builder.Services.AddXNovuOpenApi();
        builder.AddXNovuCors();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(options => options.SerializerOptions.AllowTrailingCommas = false);
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(
            options => options.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
    }

    public static WebApplication MapApplicationEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<UnstorableTextMiddleware>();

        // The OpenAPI document at /openapi/v1.json and an interactive reference at /scalar.
        app.MapOpenApi();
        app.MapScalarApiReference();

        // Every feature's routes, each enterprise call under its enterprise's rate for the route's class, and
        // under the one length rule for what they store.
        var api = app.MapGroup(string.Empty)
            .AddEndpointFilter<XNovu.Api.RateLimiting.EnterpriseRateLimitFilter>()
            .AddEndpointFilterFactory(FieldLimitFilter.Create)
            .AddEndpointFilter<XNovu.Api.Audit.WriteAuthorFilter>();
        api.MapEnterpriseEndpoints();
        api.MapTemplateDefaultsEndpoints();
        api.MapEnterpriseNovuEndpoints();
        api.MapLookupEndpoints();
        api.MapTemplateEndpoints();
        api.MapWorkflowEndpoints();
        api.MapRuleEndpoints();
        api.MapTriggerEndpoints();
        api.MapNotificationEndpoints();
        api.MapSubscriberEndpoints();
        api.MapPreferenceEndpoints();
        api.MapUnsubscribeEndpoints();
        api.MapDigestEndpoints();
        api.MapTopicEndpoints();
        api.MapRateLimitEndpoints();
        api.MapEventEndpoints();
        api.MapRuleEngineEndpoints();
        api.MapOperationsEndpoints();
        api.MapNovuSyncEndpoints();
        api.MapNovuWebhookEndpoints();
        api.MapWebhookEndpoints();
        api.MapVersionEndpoints();
        api.MapAuditEndpoints();
        api.MapTranslationEndpoints();
        api.MapLayoutEndpoints();
        api.MapOriginalIdEndpoints();
        return app;
    }
}
