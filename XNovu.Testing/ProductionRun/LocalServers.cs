using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace XNovu.Testing.ProductionRun;

/// <summary>
/// PostgreSQL and Redis started apart from the services, as a managed server would be: a fresh PostgreSQL cluster
/// (the machine's install, as the postgres user when run as root, since initdb and postgres refuse root) and a
/// redis-server with a password, each on a free loopback port.
/// </summary>
public static class LocalServers
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string NewPassword() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>Starts PostgreSQL with the superuser's <paramref name="password"/>; <paramref name="settings"/> are more <c>-c</c> settings.</summary>
    public static async Task<RunProcess> StartPostgresAsync(
        string directory, int port, string password, CancellationToken cancellationToken, int maxConnections = 200, IEnumerable<string>? settings = null)
    {
        var data = Path.Combine(directory, "pgdata");
        Directory.CreateDirectory(directory);
        var passwordFile = Path.Combine(directory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        OwnAsPostgres(directory);

        RunAsPostgres("initdb", ["-D", data, "-U", "postgres", "--pwfile", passwordFile, "--auth", "scram-sha-256", "--no-sync", "-E", "UTF8"]);
        File.Delete(passwordFile);
        return await StartServerAsync("postgres", directory, data, port, cancellationToken, maxConnections, settings);
    }

    /// <summary>
    /// Starts the PostgreSQL server of an existing data folder (a fresh cluster, a standby's copy) on
    /// <paramref name="port"/>, its output in <paramref name="name"/>.log, and waits until it accepts connections.
    /// </summary>
    public static async Task<RunProcess> StartServerAsync(
        string name, string directory, string data, int port, CancellationToken cancellationToken, int maxConnections = 200, IEnumerable<string>? settings = null)
    {
        var bin = PostgresBinDirectory();
        var asRoot = Environment.UserName == "root";
        var server = RunProcess.Start(name, AsPostgres(asRoot, Path.Combine(bin, "postgres")),
            [.. AsPostgresArgs(asRoot, Path.Combine(bin, "postgres")), "-D", data, "-p", $"{port}", "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=", "-c", $"max_connections={maxConnections}", "-c", "fsync=off",
                .. (settings ?? []).SelectMany(setting => new[] { "-c", setting })],
            new Dictionary<string, string>(), directory);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Run(Path.Combine(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", $"{port}", "-q"], throwOnFailure: false) != 0)
        {
            if (server.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"PostgreSQL did not start (see {directory}/{name}.log)");
            }

            await Task.Delay(200, cancellationToken);
        }

        return server;
    }

    /// <summary>Runs one of PostgreSQL's programs (pg_basebackup, pg_rewind) as the postgres user when run as root; throws when it fails.</summary>
    public static void RunAsPostgres(string program, string[] arguments)
    {
        var asRoot = Environment.UserName == "root";
        var executable = Path.Combine(PostgresBinDirectory(), program);
        Run(AsPostgres(asRoot, executable), [.. AsPostgresArgs(asRoot, executable), .. arguments]);
    }

    /// <summary>Gives <paramref name="directory"/> to the postgres user when run as root (initdb and postgres refuse root).</summary>
    public static void OwnAsPostgres(string directory)
    {
        if (Environment.UserName == "root")
        {
            Run("chown", ["-R", "postgres:postgres", directory]);
        }
    }

    public static async Task<RunProcess> StartRedisAsync(string directory, int port, string password, CancellationToken cancellationToken)
    {
        var redis = FindOnPath("redis-server") ?? throw new InvalidOperationException("redis-server is not installed (Debian: apt-get install redis-server).");
        var server = RunProcess.Start("redis", redis,
            ["--port", $"{port}", "--bind", "127.0.0.1", "--requirepass", password, "--save", "", "--appendonly", "no", "--dir", directory],
            new Dictionary<string, string>(), directory);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return server;
            }
            catch (SocketException) when (!server.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Debian's PgBouncer in front of the PostgreSQL server on <paramref name="serverPort"/>, in transaction pooling
    /// mode (docs/operations.md, "Behind PgBouncer"), on <paramref name="port"/>: database <c>xnovu</c>, each of
    /// <paramref name="users"/> with its password (plain text in the auth file, so that PgBouncer can log in to the
    /// server with SCRAM on the client's behalf). PgBouncer 1.18 cannot carry the <c>options</c> startup parameter (the
    /// dispatcher's <c>-c synchronous_commit=off</c>): it is ignored, which costs throughput, not correctness.
    /// </summary>
    public static async Task<RunProcess> StartPgBouncerAsync(
        string directory, int port, int serverPort, IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken, int poolSize = 20)
    {
        var pgbouncer = FindOnPath("pgbouncer") ?? (File.Exists("/usr/sbin/pgbouncer") ? "/usr/sbin/pgbouncer" : null)
            ?? throw new InvalidOperationException("pgbouncer is not installed (Debian: apt-get install pgbouncer).");
        Directory.CreateDirectory(directory);
        var userlist = Path.Combine(directory, "userlist.txt");
        await File.WriteAllLinesAsync(userlist, users.Select(u => $"\"{u.Key}\" \"{u.Value}\""), cancellationToken);
        var configuration = Path.Combine(directory, "pgbouncer.ini");
        await File.WriteAllTextAsync(configuration, $"""
            [databases]
            xnovu = host=127.0.0.1 port={serverPort} dbname=xnovu

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = scram-sha-256
            auth_file = {userlist}
            pool_mode = transaction
            default_pool_size = {poolSize}
            max_client_conn = 2000
            ignore_startup_parameters = extra_float_digits,options
            pidfile = {Path.Combine(directory, "pgbouncer.pid")}
            """, cancellationToken);
        var asRoot = Environment.UserName == "root";
        OwnAsPostgres(directory);
        var server = RunProcess.Start("pgbouncer", AsPostgres(asRoot, pgbouncer), [.. AsPostgresArgs(asRoot, pgbouncer), configuration],
            new Dictionary<string, string>(), directory);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return server;
            }
            catch (SocketException) when (!server.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static string AsPostgres(bool asRoot, string executable) => asRoot ? FindOnPath("setpriv") ?? "setpriv" : executable;

    private static string[] AsPostgresArgs(bool asRoot, string executable) =>
        asRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", executable] : [];

    internal static string PostgresBinDirectory()
    {
        var candidates = new List<string>();
        try
        {
            var output = RunOutput("pg_config", ["--bindir"]).Trim();
            candidates.Add(output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no pg_config on PATH: look in Debian's folders
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "postgres")))
            ?? throw new InvalidOperationException("no PostgreSQL server installed (Debian: apt-get install postgresql).");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static int Run(string fileName, string[] arguments, bool throwOnFailure = true)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (throwOnFailure && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed: {errors.Result}");
        }

        return process.ExitCode;
    }

    private static string RunOutput(string fileName, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
