using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every XNovu service shares: telemetry, health endpoints, resilient HTTP clients with
/// service discovery. Each concern lives in its own file beside this one.
/// </summary>
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Configuration.AddLegacyEnvironmentAliases(LegacyEnvironment.ServiceAliases);
        builder.ConfigureLogLevel();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddDefaultHttpClients();
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapPrometheusScrapingEndpoint(OpenTelemetryExtensions.MetricsPath);
        return app;
    }
}
