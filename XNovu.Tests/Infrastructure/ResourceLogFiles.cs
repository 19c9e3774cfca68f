using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace XNovu.Tests.Infrastructure;

/// <summary>
/// Writes each resource's console output, which the testing host forwards to loggers named
/// <c>XNovu.AppHost.Resources.{resource}</c>, to a file per resource.
/// </summary>
public sealed class ResourceLogFiles(string directory) : ILoggerProvider
{
    public const string CategoryPrefix = "XNovu.AppHost.Resources";

    private readonly ConcurrentDictionary<string, object> _locks = new();

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(CategoryPrefix, StringComparison.Ordinal)
            ? new FileLogger(Path.Combine(directory, categoryName[(CategoryPrefix.Length + 1)..] + ".log"), _locks.GetOrAdd(categoryName, _ => new object()))
            : NullLogger;

    public void Dispose()
    {
    }

    private static readonly ILogger NullLogger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    private sealed class FileLogger(string path, object gate) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (gate)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.AppendAllText(path, formatter(state, exception) + Environment.NewLine);
            }
        }
    }
}
