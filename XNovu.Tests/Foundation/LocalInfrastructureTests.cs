using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using XNovu.AppHost.Infrastructure;

namespace XNovu.Tests.Foundation;

public sealed class LocalInfrastructureTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("xnovu-pid-").FullName;

    private string PidFile => Path.Combine(_dataDirectory, "postmaster.pid");

    [Fact]
    public void Postmaster_pid_of_a_dead_process_is_removed()
    {
        using var process = Process.Start("true")!;
        process.WaitForExit();
        File.WriteAllLines(PidFile, [process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), _dataDirectory]);

        LocalPostgresExtensions.ClearStalePostmaster(_dataDirectory);

        Assert.False(File.Exists(PidFile));
    }

    [Fact]
    public void Postmaster_pid_reused_by_another_process_is_removed()
    {
        // The test host is alive but is not a PostgreSQL server of this cluster.
        File.WriteAllLines(PidFile, [Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), _dataDirectory]);

        LocalPostgresExtensions.ClearStalePostmaster(_dataDirectory);

        Assert.False(File.Exists(PidFile));
        Assert.True(Process.GetCurrentProcess().Responding);
    }

    [Fact]
    public void Orphaned_server_of_the_same_cluster_is_shut_down()
    {
        // A stand-in for an orphaned postmaster: a live process whose command line names the data folder.
        using var orphan = Process.Start(new ProcessStartInfo("sleep", ["300", _dataDirectory]))!;
        File.WriteAllLines(PidFile, [orphan.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), _dataDirectory]);

        LocalPostgresExtensions.ClearStalePostmaster(_dataDirectory);

        Assert.True(orphan.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(PidFile));
    }

    [Theory]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("WARN", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    public void LOG_LEVEL_maps_onto_the_logging_levels(string value, LogLevel expected)
    {
        Assert.True(LoggingExtensions.TryMap(value, out var level));
        Assert.Equal(expected, level);
    }

    [Fact]
    public void Unknown_LOG_LEVEL_is_ignored()
    {
        Assert.False(LoggingExtensions.TryMap("loud", out _));
    }

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);
}
