using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace XNovu.AppHost.Infrastructure;

/// <summary>A Redis-protocol server run as an executable: redis-server when installed, else Garnet.</summary>
internal sealed class LocalRedisResource(string name, string command, string workingDirectory, int port)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public int Port { get; } = port;

    public string ServerConnectionString => $"127.0.0.1:{Port}";

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{ServerConnectionString}");
}

internal static class LocalRedisExtensions
{
    private const string GarnetTool = "garnet-server";

    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, LocalDataPaths paths)
    {
        Directory.CreateDirectory(paths.Redis);
        var port = builder.Configuration.GetValue("XNovu:Local:RedisPort", 0) is var configured and > 0
            ? configured
            : LocalProcess.FreeLoopbackPort();
        var portText = port.ToString(CultureInfo.InvariantCulture);

        string command;
        string[] args;
        if (LocalProcess.FindOnPath("redis-server") is { } redisServer)
        {
            command = redisServer;
            args = ["--port", portText, "--bind", "127.0.0.1", "--dir", paths.Redis, "--protected-mode", "no"];
        }
        else
        {
            command = LocalProcess.FindOnPath("dotnet") ?? "dotnet";
            // Lua on: the Redis rate limiter runs scripts.
            args = [GarnetAssembly(builder.AppHostDirectory), "--port", portText, "--bind", "127.0.0.1", "--lua", "--logger-level", "Warning"];
        }

        var resource = new LocalRedisResource(name, command, paths.Redis, port);
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(resource.ServerConnectionString, name: healthCheckKey);

        return builder.AddResource(resource)
            .WithArgs(args)
            .WithEndpoint(name: "tcp", port: port, targetPort: port, scheme: "tcp", isProxied: false)
            .WithHealthCheck(healthCheckKey)
            .WithIconName("Memory")
            .ExcludeFromManifest();
    }

    /// <summary>
    /// The Garnet server pinned in the repository's tool manifest, restored on demand so that a fresh
    /// clone needs no manual step. Its assembly is run directly so DCP supervises the server itself.
    /// </summary>
    private static string GarnetAssembly(string appHostDirectory)
    {
        var repositoryRoot = FindToolManifestRoot(appHostDirectory);
        var manifestPath = Path.Combine(repositoryRoot, ".config", "dotnet-tools.json");
        using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var version = manifest.RootElement.GetProperty("tools").GetProperty(GarnetTool).GetProperty("version").GetString()!;

        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var toolDirectory = Path.Combine(packages, GarnetTool, version, "tools");

        string? Find() => Directory.Exists(toolDirectory)
            ? Directory.EnumerateFiles(toolDirectory, "GarnetServer.dll", SearchOption.AllDirectories).FirstOrDefault()
            : null;

        if (Find() is { } existing)
        {
            return existing;
        }

        try
        {
            LocalProcess.Run("dotnet", ["tool", "restore"], repositoryRoot, TimeSpan.FromMinutes(5));
        }
        catch (InvalidOperationException e)
        {
            throw new MissingPrerequisiteException(
                $"no Redis server: install redis-server (Debian: apt-get install redis-server), or let 'dotnet tool restore' fetch Garnet ({e.Message}).");
        }

        return Find() ?? throw new MissingPrerequisiteException(
            $"Garnet {version} was restored but GarnetServer.dll is not under {toolDirectory}; install redis-server instead (Debian: apt-get install redis-server).");
    }

    private static string FindToolManifestRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, ".config", "dotnet-tools.json")))
            {
                return directory.FullName;
            }
        }

        throw new MissingPrerequisiteException("no Redis server: install redis-server (Debian: apt-get install redis-server).");
    }
}
