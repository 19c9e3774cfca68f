using System.Globalization;

namespace XNovu.Testing.ProductionRun;

/// <summary>The services as a deployment ships them: each project published into its own folder, each started as a plain process.</summary>
internal static class PublishedServices
{
    public static IReadOnlyList<(string Project, string Name)> All { get; } =
    [
        ("XNovu.MigrationService", "migrations"), ("XNovu.Api", "api"), ("XNovu.Dispatcher", "dispatcher"),
        ("XNovu.Console", "console"), ("XNovu.NovuEmulator", "novu"),
    ];

    /// <summary>Publishes <paramref name="projects"/> into <paramref name="directory"/>/name; with <paramref name="noBuild"/>, the existing build's output.</summary>
    public static async Task PublishAsync(IEnumerable<(string Project, string Name)> projects, string configuration, bool noBuild, string directory, CancellationToken token)
    {
        async Task PublishOneAsync(string project, string name)
        {
            string[] arguments = ["publish", Path.Combine(RepositoryPaths.Root, project, $"{project}.csproj"), "-c", configuration,
                "-o", Path.Combine(directory, name), "--nologo", "-v", "q", .. noBuild ? new[] { "--no-build" } : []];
            await using var publish = RunProcess.Start($"publish-{name}", "dotnet", arguments,
                new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" }, directory, RepositoryPaths.Root);
            if (await publish.WaitForExitAsync(token) != 0)
            {
                throw new InvalidOperationException($"dotnet publish {project} failed (see {directory}/publish-{name}.log)");
            }
        }

        if (noBuild)
        {
            // Copies of finished builds touch only their own obj folders: they can run side by side.
            await Task.WhenAll(projects.Select(p => PublishOneAsync(p.Project, p.Name)));
            return;
        }

        foreach (var (project, name) in projects)
        {
            await PublishOneAsync(project, name);
        }
    }

    /// <summary>
    /// A published service as a plain process named <paramref name="name"/> (its published folder is the part before
    /// the first <c>-</c>: <c>api-1</c> runs <c>api</c>); a web service listens on its own port (in a pod, every one has 8080).
    /// </summary>
    public static RunProcess Start(string directory, string name, string? url, Dictionary<string, string> environment)
    {
        var published = name.Split('-')[0];
        if (url is not null)
        {
            if (published == "novu")
            {
                environment["HTTP_PORTS"] = new Uri(url).Port.ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                Replace(environment, "HTTP_PORTS", new Uri(url).Port.ToString(CultureInfo.InvariantCulture));
            }
        }

        var project = All.Single(p => p.Name == published).Project;
        return RunProcess.Start(name, "dotnet", [Path.Combine(directory, published, $"{project}.dll")], environment, directory, Path.Combine(directory, published));
    }

    /// <summary>Replaces a variable the Kubernetes base sets; one it does not set is a mistake in the run.</summary>
    public static void Replace(Dictionary<string, string> environment, string key, string value)
    {
        if (!environment.ContainsKey(key))
        {
            throw new InvalidOperationException($"the Kubernetes base does not set {key}");
        }

        environment[key] = value;
    }

    public static string Url(int port) => $"http://127.0.0.1:{port}";
}
