using System.Diagnostics;

namespace XNovu.Testing.ProductionRun;

/// <summary>
/// A process of the production-shaped run, started with exactly the environment it is given (nothing inherited but
/// PATH and HOME), its output in a log file, and killed with its children when disposed.
/// </summary>
public sealed class RunProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;

    private RunProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        this.process = process;
        this.log = log;
    }

    public string Name { get; }

    /// <summary>The process id (for reading its CPU time in <c>/proc</c>).</summary>
    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public static RunProcess Start(string name, string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string logDirectory, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? logDirectory,
        };
        startInfo.Environment.Clear();
        foreach (var inherited in new[] { "PATH", "HOME", "DOTNET_ROOT" })
        {
            if (Environment.GetEnvironmentVariable(inherited) is { } value)
            {
                startInfo.Environment[inherited] = value;
            }
        }

        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var log = new StreamWriter(Path.Combine(logDirectory, $"{name}.log")) { AutoFlush = true };
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RunProcess(name, process, log);
    }

    /// <summary>Waits for a process that should run to completion, such as the migrator.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken);
        process.WaitForExit(); // drains the output handlers
        return process.ExitCode;
    }

    /// <summary>
    /// Stops the process as Kubernetes stops a pod: SIGTERM, then SIGKILL after <paramref name="grace"/>. Answers
    /// whether it exited by itself within the grace period.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (process.HasExited)
        {
            return true;
        }

        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            await term!.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return false;
        }
    }

    /// <summary>
    /// SIGKILL to the process and its children at once, as when its machine is lost: the process is stopped first
    /// (SIGSTOP) so that it cannot start another child meanwhile, then every child and the process itself are
    /// killed. (<see cref="Process.Kill(bool)"/> walks every process of the machine first, which took tens of seconds
    /// on a loaded machine, and a PostgreSQL backend forked meanwhile outlived its server.)
    /// </summary>
    public async Task KillAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        var pid = process.Id;
        _ = Signal(pid, SigStop);
        var childrenFile = $"/proc/{pid}/task/{pid}/children";
        var children = File.Exists(childrenFile)
            ? File.ReadAllText(childrenFile).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList()
            : [];
        foreach (var child in children)
        {
            _ = Signal(child, SigKill);
        }

        _ = Signal(pid, SigKill);
        if (children.Count == 0)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
    }

    private const int SigKill = 9;
    private const int SigStop = 19;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.BaseStream.CanWrite)
            {
                log.WriteLine(line);
            }
        }
    }
}
