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

    /// <summary>Starts PostgreSQL with the superuser's <paramref name="password"/>.</summary>
    public static async Task<RunProcess> StartPostgresAsync(string directory, int port, string password, CancellationToken cancellationToken, int maxConnections = 200)
    {
        var bin = PostgresBinDirectory();
        var data = Path.Combine(directory, "pgdata");
        Directory.CreateDirectory(directory);
        var passwordFile = Path.Combine(directory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Run("chown", ["-R", "postgres:postgres", directory]);
        }

        Run(AsPostgres(asRoot, Path.Combine(bin, "initdb")), [.. AsPostgresArgs(asRoot, Path.Combine(bin, "initdb")),
            "-D", data, "-U", "postgres", "--pwfile", passwordFile, "--auth", "scram-sha-256", "--no-sync", "-E", "UTF8"]);
        File.Delete(passwordFile);

        var server = RunProcess.Start("postgres", AsPostgres(asRoot, Path.Combine(bin, "postgres")),
            [.. AsPostgresArgs(asRoot, Path.Combine(bin, "postgres")), "-D", data, "-p", $"{port}", "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=", "-c", $"max_connections={maxConnections}", "-c", "fsync=off"],
            new Dictionary<string, string>(), directory);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Run(Path.Combine(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", $"{port}", "-q"], throwOnFailure: false) != 0)
        {
            if (server.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"PostgreSQL did not start (see {directory}/postgres.log)");
            }

            await Task.Delay(200, cancellationToken);
        }

        return server;
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

    private static string AsPostgres(bool asRoot, string executable) => asRoot ? FindOnPath("setpriv") ?? "setpriv" : executable;

    private static string[] AsPostgresArgs(bool asRoot, string executable) =>
        asRoot ? ["--reuid=postgres", "--regid=postgres", "--init-groups", executable] : [];

    private static string PostgresBinDirectory()
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
