using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace XNovu.AppHost.Infrastructure;

/// <summary>The machine's own PostgreSQL server, run by DCP like any executable, exposing a connection string.</summary>
internal sealed class LocalPostgresResource(string name, string command, string workingDirectory, int port, string password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string SuperUser = "postgres";

    public int Port { get; } = port;

    internal string Password { get; } = password;

    public string ServerConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username={SuperUser};Password={Password}";

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{ServerConnectionString}");
}

internal static class LocalPostgresExtensions
{
    private const int SigInt = 2;
    private const int SigKill = 9;
    private const string ServiceUser = "postgres";

    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, LocalDataPaths paths)
    {
        var binDirectory = FindBinDirectory();
        var dataDirectory = Path.Combine(paths.Postgres, "data");
        var password = EnsureCluster(binDirectory, paths.Postgres, dataDirectory);
        ClearStalePostmaster(dataDirectory);

        var port = builder.Configuration.GetValue("XNovu:Local:PostgresPort", 0) is var configured and > 0
            ? configured
            : LocalProcess.FreeLoopbackPort();

        var (command, prefix) = AsServiceUser(Path.Combine(binDirectory, "postgres"));
        var resource = new LocalPostgresResource(name, command, paths.Postgres, port, password);

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(resource.ServerConnectionString, name: healthCheckKey);

        // Point-in-time recovery for the restore drill (and anyone who wants it locally): every WAL segment is copied
        // to the archive folder once complete, and at least every minute.
        string[] archive = builder.Configuration["XNovu:Local:WalArchivePath"] is { Length: > 0 } archivePath
            ? ["-c", "archive_mode=on", "-c", $"archive_command={ArchiveCommand(archivePath)}", "-c", "archive_timeout=60"]
            : [];

        // Extra server settings for a local run, e.g. "shared_preload_libraries=pg_stat_statements shared_buffers=2GB"
        // to profile a benchmark: space-separated name=value pairs, each passed as -c.
        string[] extra = (builder.Configuration["XNovu:Local:PostgresSettings"] ?? "")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(setting => setting.Contains('=', StringComparison.Ordinal))
            .SelectMany(setting => new[] { "-c", setting })
            .ToArray();

        return builder.AddResource(resource)
            .WithArgs([
                .. prefix,
                "-D", dataDirectory,
                "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-c", "listen_addresses=127.0.0.1",
                // No Unix socket: its default folder may not exist or be writable here.
                "-c", "unix_socket_directories=",
                "-c", "max_connections=200",
                .. archive,
                .. extra,
            ])
            .WithEndpoint(name: LocalPostgresResource.EndpointName, port: port, targetPort: port, scheme: "tcp", isProxied: false)
            .WithHealthCheck(healthCheckKey)
            .WithIconName("Database")
            .ExcludeFromManifest();
    }

    /// <summary>
    /// The archive command that copies a finished WAL segment into <paramref name="archivePath"/> (created and given to
    /// the server's user), never over a segment already there.
    /// </summary>
    internal static string ArchiveCommand(string archivePath)
    {
        Directory.CreateDirectory(archivePath);
        GiveToServiceUser(archivePath);
        return $"test ! -f '{archivePath}/%f' && cp %p '{archivePath}/%f'";
    }

    /// <summary>
    /// Finds the server without relying on PATH: Debian installs it under /usr/lib/postgresql/N/bin,
    /// which <c>pg_config --bindir</c> names.
    /// </summary>
    internal static string FindBinDirectory()
    {
        var candidates = new List<string>();
        if (LocalProcess.FindOnPath("pg_config") is { } pgConfig)
        {
            try
            {
                candidates.Add(LocalProcess.Run(pgConfig, ["--bindir"]).Trim());
            }
            catch (InvalidOperationException)
            {
                // fall through to the well-known folders
            }
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        if (LocalProcess.FindOnPath("postgres") is { } onPath)
        {
            candidates.Add(Path.GetDirectoryName(onPath)!);
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")) && File.Exists(Path.Combine(d, "initdb")))
            ?? throw new MissingPrerequisiteException(
                "the PostgreSQL server was not found; install it (Debian: apt-get install postgresql) or start a Docker or Podman engine.");
    }

    /// <summary>Initialises the cluster on first run; later runs reuse it and its password.</summary>
    private static string EnsureCluster(string binDirectory, string root, string dataDirectory)
    {
        var passwordFile = Path.Combine(root, "password");
        Directory.CreateDirectory(root);
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")) && File.Exists(passwordFile))
        {
            return File.ReadAllText(passwordFile).Trim();
        }

        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true); // a half-made cluster from an interrupted first run
        }

        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(passwordFile, password);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        GiveToServiceUser(root);

        var (command, prefix) = AsServiceUser(Path.Combine(binDirectory, "initdb"));
        LocalProcess.Run(command, [
            .. prefix,
            "-D", dataDirectory,
            "-U", LocalPostgresResource.SuperUser,
            "--pwfile", passwordFile,
            "--auth", "scram-sha-256",
            "-E", "UTF8",
            "--locale", "C",
        ]);
        return password;
    }

    /// <summary>
    /// A <c>postmaster.pid</c> left by a killed run blocks the next start when its PID now belongs to
    /// another process. An orphaned server of this cluster is shut down; a dead PID's file is removed.
    /// </summary>
    internal static void ClearStalePostmaster(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }

        if (!int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid))
        {
            File.Delete(pidFile);
            return;
        }

        if (IsServerOf(pid, dataDirectory))
        {
            LocalProcess.Signal(pid, SigInt); // fast shutdown
            if (!LocalProcess.WaitForExit(pid, TimeSpan.FromSeconds(20)))
            {
                LocalProcess.Signal(pid, SigKill);
                LocalProcess.WaitForExit(pid, TimeSpan.FromSeconds(5));
            }
        }

        // Gone, or the PID now belongs to some other process: the file is stale.
        if (File.Exists(pidFile) && !IsServerOf(pid, dataDirectory))
        {
            File.Delete(pidFile);
        }
    }

    private static bool IsServerOf(int pid, string dataDirectory) =>
        LocalProcess.IsAlive(pid) && LocalProcess.CommandLine(pid).Contains(dataDirectory, StringComparison.Ordinal);

    /// <summary>initdb and postgres refuse to run as root: as root, run them as the postgres user.</summary>
    internal static (string Command, string[] Prefix) AsServiceUser(string executable)
    {
        if (!LocalProcess.IsRoot)
        {
            return (executable, []);
        }

        var setpriv = LocalProcess.FindOnPath("setpriv")
            ?? throw new MissingPrerequisiteException("setpriv was not found; install it (Debian: apt-get install util-linux).");
        // setpriv replaces itself with the server, so DCP supervises the real process.
        return (setpriv, ["--reuid=" + ServiceUser, "--regid=" + ServiceUser, "--init-groups", executable]);
    }

    internal static void GiveToServiceUser(string root)
    {
        if (!LocalProcess.IsRoot)
        {
            return;
        }

        try
        {
            LocalProcess.Run("chown", ["-R", $"{ServiceUser}:{ServiceUser}", root]);
            LocalProcess.Run("chmod", ["700", root]);
        }
        catch (InvalidOperationException e)
        {
            throw new MissingPrerequisiteException(
                $"the '{ServiceUser}' system user is needed to run PostgreSQL as root; install PostgreSQL's Debian package or create the user ({e.Message}).");
        }
    }
}
