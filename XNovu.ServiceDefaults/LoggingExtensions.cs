using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

public static class LoggingExtensions
{
    /// <summary>
    /// Honours the original system's <c>LOG_LEVEL</c> (debug, info, warn, error) by mapping it onto
    /// <c>Logging:LogLevel:Default</c>. An explicit <c>Logging__LogLevel__Default</c> still wins.
    /// </summary>
    public static TBuilder ConfigureLogLevel<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var explicitDefault = Environment.GetEnvironmentVariable("Logging__LogLevel__Default");
        if (explicitDefault is null && TryMap(builder.Configuration["LOG_LEVEL"], out var level))
        {
            builder.Configuration["Logging:LogLevel:Default"] = level.ToString();
        }

        return builder;
    }

    public static bool TryMap(string? value, out LogLevel level)
    {
        LogLevel? mapped = (value ?? string.Empty).Trim().ToLowerInvariant() switch
        {
            "trace" or "verbose" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "fatal" or "critical" => LogLevel.Critical,
            "silent" or "none" => LogLevel.None,
            _ => null,
        };
        level = mapped ?? LogLevel.Information;
        return mapped is not null;
    }
}
