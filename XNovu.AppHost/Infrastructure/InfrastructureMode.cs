using System.Diagnostics;

namespace XNovu.AppHost.Infrastructure;

/// <summary>How PostgreSQL and Redis are provided (<c>XNovu:Infrastructure</c>).</summary>
internal enum InfrastructureMode
{
    /// <summary>Containers when a container engine answers, else the machine's own servers.</summary>
    Auto,
    Containers,
    Local,

    /// <summary>Managed servers the operator provides by connection string: always when publishing.</summary>
    External,
}

internal static class ContainerEngine
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// True when Docker or Podman (whichever Aspire would use) answers within a few seconds.
    /// A CLI without a daemon answers an error at once, so a machine without an engine is not slowed.
    /// </summary>
    public static bool Answers(string? configuredRuntime)
    {
        var runtimes = string.IsNullOrWhiteSpace(configuredRuntime) ? ["docker", "podman"] : new[] { configuredRuntime };
        return runtimes.Any(Probe);
    }

    private static bool Probe(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no such CLI
        }
    }
}

/// <summary>A tool the local mode needs is missing; the message says what to install.</summary>
internal sealed class MissingPrerequisiteException(string message) : Exception(message);
