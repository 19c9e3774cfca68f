using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace XNovu.Testing;

/// <summary>
/// Keeps each resource's console output, which the testing host forwards to loggers named
/// <c>XNovu.AppHost.Resources.{resource}</c>, in a file per resource. Shared by the tests (which read the
/// files while the app runs, so every line is flushed) and the benchmark (which buffers, so logging does
/// not weigh on its measurements; the files are complete once the provider is disposed).
/// </summary>
public sealed class ResourceLogFiles(string directory, bool flushEachLine = true) : ILoggerProvider
{
    public const string CategoryPrefix = "XNovu.AppHost.Resources";

    private readonly ConcurrentDictionary<string, FileLogger> _loggers = new(StringComparer.Ordinal);

    public string Directory { get; } = directory;

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(CategoryPrefix + ".", StringComparison.Ordinal)
            ? _loggers.GetOrAdd(categoryName, name => new FileLogger(Path.Combine(Directory, name[(CategoryPrefix.Length + 1)..] + ".log"), flushEachLine))
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

        public FileLogger(string path, bool flushEachLine)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = flushEachLine };
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
