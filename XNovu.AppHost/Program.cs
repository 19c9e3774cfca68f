using XNovu.AppHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using XNovu.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);
// The original XNovu's names (NOVU_SECRET_KEY, NOVU_API_URL, ...) as aliases; Aspire's names win.
builder.Configuration.AddLegacyEnvironmentAliases(LegacyEnvironment.AppHostAliases);

XNovuInfrastructure infrastructure;
try
{
    infrastructure = builder.AddXNovuInfrastructure();
}
catch (MissingPrerequisiteException missing)
{
    // One line that says what to install, not a stack trace.
    Console.Error.WriteLine($"XNovu cannot start: {missing.Message}");
    return 1;
}

var parameters = builder.AddXNovuParameters();
var novu = builder.AddNovu(parameters);

var migrations = builder.AddProject<Projects.XNovu_MigrationService>("migrations")
    .WithReference(infrastructure.Database)
    .WithEnvironment("XNovu__Database__AppPassword", infrastructure.AppDatabase.Password)
    .WithEnvironment("XNovu__Database__ApiPassword", infrastructure.Api.Password)
    .WithEnvironment("XNovu__Database__DispatcherPassword", infrastructure.Dispatcher.Password)
    .WithEnvironment("XNovu__Database__ConsolePassword", infrastructure.Console.Password)
    .WaitFor(infrastructure.Postgres);

var api = builder.AddProject<Projects.XNovu_Api>("api")
    .WithXNovuServiceDependencies(infrastructure, infrastructure.Api, migrations, parameters, novu, builder.Configuration)
    .WithSettingsFrom(builder.Configuration, "XNovu:RateLimit", "XNovu:Triggers", "XNovu:Operations", "XNovu:Topics", "XNovu:RuleLimits", "XNovu:Offboarding", "XNovu:Cors", "XNovu:Webhooks", "XNovu:NovuWebhooks",
        // MaxAge bounds an enterprise's own retention; the history partitions' health is in /api/health too.
        "XNovu:Retention", "XNovu:HistoryHealth")
    .WithXNovuOperatorCommands(parameters.AdminKey)
    .WithExternalHttpEndpoints()
    .WithDirectHttpEndpoint(builder.Configuration)
    // Ready once it answers: without a proxy to hold early connections, callers wait for this, not for the process.
    .WithHttpHealthCheck("/alive");

// The API measures an event at accept with the unsubscribe links the dispatchers will render (EventFitCheck), so it
// knows their address too: its own.
api.WithEnvironment("XNovu__Unsubscribe__BaseUrl", api.GetEndpoint("http"));

// The emulator reports delivery status as Novu does: signed webhooks to the API's receiver for the shared environment.
novu.Emulator?.WithEnvironment("NovuEmulator__Webhooks__Url", ReferenceExpression.Create($"{api.GetEndpoint("http")}/novu/webhooks/shared"));

builder.AddProject<Projects.XNovu_Dispatcher>("dispatcher")
    .WithXNovuServiceDependencies(infrastructure, infrastructure.Dispatcher, migrations, parameters, novu, builder.Configuration)
    .WithSettingsFrom(builder.Configuration, "XNovu:Dispatcher", "XNovu:NovuSync", "XNovu:RuleEngine", "XNovu:Retention", "XNovu:HistoryHealth", "XNovu:Webhooks", "XNovu:DeliveryPoll")
    // Emails' unsubscribe links point at the API (signed with the admin key both services share).
    .WithEnvironment("XNovu__Unsubscribe__BaseUrl", api.GetEndpoint("http"))
    .WithReplicas(builder.Configuration.GetValue("XNovu:DispatcherReplicas", 1));

builder.AddXNovuConsole(api, infrastructure.Console, migrations);

builder.Build().Run();
return 0;
