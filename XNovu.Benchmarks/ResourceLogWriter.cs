using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace XNovu.Benchmarks;

/// <summary>
/// Keeps each resource's console output (forwarded by the testing host to loggers named
/// <c>XNovu.AppHost.Resources.{resource}</c>) in a file per resource, buffered so that logging does not
/// weigh on the measurements, and out of the benchmark's own console.
/// </summary>
public sealed class ResourceLogWriter(string directory) : ILoggerProvider
{
    public const string CategoryPrefix = "XNovu.AppHost.Resources";

    private readonly ConcurrentDictionary<string, FileLogger> _loggers = new(StringComparer.Ordinal);

    public string Directory { get; } = directory;

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(CategoryPrefix + ".", StringComparison.Ordinal)
            ? _loggers.GetOrAdd(categoryName, name => new FileLogger(Path.Combine(Directory, name[(CategoryPrefix.Length + 1)..] + ".log")))
            : NullLogger.Instance;

    public void Dispose()
    {
        foreach (var logger in _loggers.Values)
        {
            logger.Dispose();
        }
    }

    private sealed class FileLogger : ILogger, IDisposable
    {
        private readonly Lock _gate = new();
        private readonly StreamWriter _writer;

        public FileLogger(string path)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            _writer = new StreamWriter(path, append: true) { AutoFlush = false };
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_gate)
            {
                _writer.WriteLine(formatter(state, exception));
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _writer.Dispose();
            }
        }
    }
}
