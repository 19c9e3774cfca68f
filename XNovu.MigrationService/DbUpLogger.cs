using Microsoft.Extensions.Logging;

namespace XNovu.MigrationService;

/// <summary>DbUp's log into the migrator's <see cref="ILogger"/>; a NOWAIT attempt's expected failure goes to Debug.</summary>
internal sealed class DbUpLogger(ILogger logger, bool quietErrors = false) : DbUp.Engine.Output.IUpgradeLog
{
    private readonly LogLevel errors = quietErrors ? LogLevel.Debug : LogLevel.Error;

    public void LogTrace(string format, params object[] args) => logger.LogTrace(format, args);
    public void LogDebug(string format, params object[] args) => logger.LogDebug(format, args);
    public void LogInformation(string format, params object[] args) => logger.LogInformation(format, args);
    public void LogWarning(string format, params object[] args) => logger.LogWarning(format, args);
    public void LogError(string format, params object[] args) => logger.Log(errors, format, args);
    public void LogError(Exception ex, string format, params object[] args) => logger.Log(errors, ex, format, args);
}
