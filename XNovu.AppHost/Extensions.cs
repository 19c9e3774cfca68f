using Microsoft.Extensions.Configuration;
using XNovu.Api.Operations;
using XNovu.AppHost.Infrastructure;

namespace XNovu.AppHost;

internal sealed record XNovuParameters(
    IResourceBuilder<ParameterResource> AdminKey,
    IResourceBuilder<ParameterResource> NovuApiUrl,
    IResourceBuilder<ParameterResource> NovuSecretKey);

/// <summary>Where the services find Novu: the real one, or the local emulator.</summary>
internal sealed record NovuTarget(
    IResourceBuilder<ProjectResource>? Emulator,
    Action<IResourceBuilder<ProjectResource>> Apply);

internal static class Extensions
{
    public static XNovuParameters AddXNovuParameters(this IDistributedApplicationBuilder builder)
    {
        var adminKey = builder.AddParameter("xnovu-admin-key", secret: true)
            .WithDescription("The key that authorises /api/admin/* (enterprises and their API keys).");
        var novuApiUrl = builder.AddParameter("novu-api-url", "https://api.novu.co", publishValueAsDefault: true)
            .WithDescription("Novu's API base URL: Novu Cloud (US or EU) or a self-hosted Novu.");
        // Empty in development: the local Novu emulator then stands in for Novu.
        var novuSecretKey = builder.AddParameter(
                "novu-secret-key",
                () => builder.Configuration["Parameters:novu-secret-key"] ?? string.Empty,
                secret: true)
            .WithDescription("The Novu environment's secret API key. Leave empty locally to use the emulator.");
        return new XNovuParameters(adminKey, novuApiUrl, novuSecretKey);
    }

    /// <summary>
    /// With no <c>novu-secret-key</c>, in run mode, the Novu emulator runs as the <c>novu</c> resource and the
    /// services talk to it through the same client code as to Novu Cloud. With a key set, or when
    /// publishing, the services use <c>novu-api-url</c> and no emulator runs.
    /// </summary>
    public static NovuTarget AddNovu(this IDistributedApplicationBuilder builder, XNovuParameters parameters)
    {
        var useEmulator = builder.ExecutionContext.IsRunMode
            && string.IsNullOrEmpty(builder.Configuration["Parameters:novu-secret-key"]);
        if (!useEmulator)
        {
            return new NovuTarget(null, service => service
                .WithEnvironment("XNovu__Novu__ApiUrl", parameters.NovuApiUrl)
                .WithEnvironment("XNovu__Novu__SecretKey", parameters.NovuSecretKey));
        }

        const string emulatorKey = "xnovu-emulator-secret-key";
        const string emulatorWebhookSecret = EmulatorSecrets.WebhookSecret;
        var emulator = builder.AddProject<Projects.XNovu_NovuEmulator>("novu")
            .WithEnvironment("NovuEmulator__SecretKey", emulatorKey)
            .WithEnvironment("NovuEmulator__Webhooks__Secret", emulatorWebhookSecret)
            // Its inspection, fault and inbox endpoints are for development and tests; the emulator only runs here.
            .WithEnvironment("NovuEmulator__DevelopmentEndpoints", "true")
            .WithHttpHealthCheck("/health")
            .WithExternalHttpEndpoints()
            .WithDirectHttpEndpoint(builder.Configuration);
        return new NovuTarget(emulator, service => service
            .WithEnvironment("XNovu__Novu__ApiUrl", emulator.GetEndpoint("http"))
            .WithEnvironment("XNovu__Novu__SecretKey", emulatorKey)
            .WithEnvironment("XNovu__NovuWebhooks__SharedSecret", emulatorWebhookSecret)
            // ... so the dispatcher need not poll the shared environment for its deliveries' outcomes.
            .WithEnvironment("XNovu__DeliveryPoll__SharedEnvironmentSendsWebhooks", "true")
            // The emulator enforces no plan unless told to; pace the client as an Enterprise plan would.
            .WithEnvironment("XNovu__Novu__RequestsPerSecond", builder.Configuration["XNovu:Novu:RequestsPerSecond"] ?? "6000")
            .WaitFor(emulator));
    }

    /// <summary>
    /// Passes the AppHost's settings under each of <paramref name="sections"/> (e.g. <c>XNovu:Dispatcher:BatchSize</c>)
    /// to the service as environment variables, so one place configures a whole run.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSettingsFrom(
        this IResourceBuilder<ProjectResource> service, IConfiguration configuration, params string[] sections)
    {
        foreach (var section in sections)
        {
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable())
            {
                if (value is not null)
                {
                    service.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
                }
            }
        }

        return service;
    }

    /// <summary>
    /// What the API and the dispatcher both need: the database once migrated (as the service's own login role,
    /// <paramref name="database"/>), Redis, and the keys.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithXNovuServiceDependencies(
        this IResourceBuilder<ProjectResource> service,
        XNovuInfrastructure infrastructure,
        XNovuDatabaseLogin database,
        IResourceBuilder<ProjectResource> migrations,
        XNovuParameters parameters,
        NovuTarget novu,
        IConfiguration configuration)
    {
        novu.Apply(service);
        return service
            .WithReference(database.ConnectionString)
            .WithReference(infrastructure.Redis)
            .WaitFor(infrastructure.Redis)
            .WaitForCompletion(migrations)
            .WithEnvironment("XNovu__AdminKey", parameters.AdminKey)
            // What both services read: the Novu client, templates, the workflow cache, own Novu environments.
            .WithSettingsFrom(configuration, "XNovu:Novu", "XNovu:Templates", "XNovu:DefinitionCache", "XNovu:NovuEnvironments", "LOG_LEVEL");
    }

    /// <summary>
    /// The operator's actions as dashboard commands on the API. Each calls an admin endpoint, so each request
    /// carries the admin key, read from its parameter when the command runs (never stored in the command).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithXNovuOperatorCommands(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminKey)
    {
        HttpCommandOptions Options(string description, string icon, string? confirmation = null) => new()
        {
            Description = description,
            IconName = icon,
            ConfirmationMessage = confirmation,
            // Available whenever the API runs: the default also asks for a healthy report, and an operator most
            // needs these actions when a dependency makes the API report itself degraded.
            UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
            PrepareRequest = async context =>
            {
                var key = await adminKey.Resource.GetValueAsync(context.CancellationToken);
                context.Request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            },
        };

        return api
            .WithHttpCommand(AdminRoutes.RetryFailed, "Retry failed notifications", commandName: "retry-failed",
                commandOptions: Options("Puts FAILED notifications of every enterprise back to PENDING.", "ArrowRepeatAll",
                    "Send every failed notification again?"))
            .WithHttpCommand(AdminRoutes.ClearTemplateCache, "Clear template cache", commandName: "clear-template-cache",
                commandOptions: Options("Drops the API's parsed templates; they are parsed again on next use.", "Delete"))
            .WithHttpCommand(AdminRoutes.ReloadRules, "Reload rules", commandName: "reload-rules",
                commandOptions: Options("Asks every dispatcher to reload the rules of every enterprise.", "ArrowSync"))
            .WithHttpCommand(AdminRoutes.NovuSync, "Sync Novu workflows", commandName: "novu-sync",
                commandOptions: Options("Creates or repairs every workflow's twin in Novu now.", "ArrowSyncCircle"));
    }

    /// <summary>
    /// In a local run the service listens on its HTTP endpoint itself, rather than behind DCP's loopback proxy. The
    /// proxy forwarded every request between two sockets in a process of its own: under single-trigger load it used
    /// 0.18 ms of CPU per trigger, 5% of the machine (docs/benchmarks.md), for nothing a single replica needs. The
    /// port is the launch profile's (3000 for the API, 4010 for the emulator), or a free one when the AppHost runs
    /// under test or benchmark (<c>DcpPublisher:RandomizePorts</c>), where several may run at once. A service with
    /// replicas must keep the proxy (it is what spreads requests over them; Aspire refuses a proxy-less endpoint
    /// on a replicated resource at start).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDirectHttpEndpoint(this IResourceBuilder<ProjectResource> service, IConfiguration configuration)
    {
        if (!service.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return service;
        }

        var freePort = configuration.GetValue<bool>("DcpPublisher:RandomizePorts");
        return service.WithEndpoint("http", endpoint =>
        {
            endpoint.IsProxied = false;
            if (freePort || endpoint.Port is null)
            {
                endpoint.Port = LocalProcess.FreeLoopbackPort();
            }

            endpoint.TargetPort = endpoint.Port;
        });
    }

    /// <summary>
    /// The browser console on port 3001 (its launch profile), beside the API on 3000. It holds no keys of its own and
    /// no database access: every page calls the API with the signed-in user's key.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddXNovuConsole(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api, XNovuDatabaseLogin keyRing,
        IResourceBuilder<ProjectResource> migrations) =>
        builder.AddProject<Projects.XNovu_Console>("console")
            .WithReference(api)
            // Its session keys' ring, as xnovu_console (which the migrations create and give its password).
            .WithReference(keyRing.ConnectionString)
            .WaitForCompletion(migrations)
            .WaitFor(api)
            .WithHttpHealthCheck("/health")
            .WithExternalHttpEndpoints();
}

/// <summary>The Novu emulator's development secrets, for local runs and tests only.</summary>
public static class EmulatorSecrets
{
    /// <summary>The signing secret of the emulator's delivery-status webhooks (development only, as its key).</summary>
    public const string WebhookSecret = "whsec_eG5vdnUtZW11bGF0b3Itd2ViaG9vay1zZWNyZXQtMzI=";
}
