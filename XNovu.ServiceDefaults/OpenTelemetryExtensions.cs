using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

public static class OpenTelemetryExtensions
{
    /// <summary>The name of XNovu's own ActivitySource and Meter.</summary>
    public const string XNovuTelemetryName = "XNovu";

    public const string MetricsPath = "/metrics";

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(XNovuTelemetryName)
                // Prometheus text at /metrics, as the original's workers served it.
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(XNovuTelemetryName)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes would drown the traces that matter.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthCheckExtensions.HealthPath)
                        && !context.Request.Path.StartsWithSegments(HealthCheckExtensions.AlivePath)
                        && !context.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }
}
