using System.Diagnostics;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Foundation;

public sealed class ManifestTests
{
    private static readonly string CheckedIn = Path.Combine(RepositoryPaths.Root, "aspire-manifest.json");

    [Fact]
    public async Task Checked_in_manifest_equals_a_fresh_generation()
    {
        // Generated beside the checked-in one: the manifest's project paths are relative to its folder.
        var fresh = Path.Combine(RepositoryPaths.Root, $".aspire-manifest-check-{Guid.NewGuid():N}.json");
        try
        {
            await GenerateManifestAsync(fresh);

            var expected = JsonNode.Parse(await File.ReadAllTextAsync(CheckedIn));
            var actual = JsonNode.Parse(await File.ReadAllTextAsync(fresh));
            Assert.True(
                JsonNode.DeepEquals(expected, actual),
                "aspire-manifest.json is stale: regenerate it with the command in the README.");
        }
        finally
        {
            File.Delete(fresh);
        }
    }

    [Fact]
    public async Task Checked_in_manifest_holds_only_resources_azd_accepts()
    {
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(CheckedIn))!;
        var types = manifest["resources"]!.AsObject().Select(r => (string)r.Value!["type"]!).ToList();

        Assert.DoesNotContain("executable.v0", types);
        Assert.Contains("project.v0", types);
    }

    [Fact]
    public async Task Published_state_is_managed_servers_by_connection_string_never_a_container_with_a_volume()
    {
        // azd turns a container's volume into an Azure Files share: a known way to corrupt PostgreSQL.
        var resources = JsonNode.Parse(await File.ReadAllTextAsync(CheckedIn))!["resources"]!.AsObject();

        Assert.DoesNotContain(resources, r => (string)r.Value!["type"]! == "container.v0" || r.Value!["volumes"] is not null);
        foreach (var connection in new[] { "xnovu", "redis" })
        {
            Assert.Equal("parameter.v0", (string)resources[connection]!["type"]!);
            Assert.Equal($"{{{connection}.value}}", (string)resources[connection]!["connectionString"]!);
        }
    }

    private static async Task GenerateManifestAsync(string outputPath)
    {
        var appHost = Path.Combine(RepositoryPaths.Root, "XNovu.AppHost", "bin", RepositoryPaths.Configuration, "net10.0", "XNovu.AppHost.dll");
        var startInfo = new ProcessStartInfo("dotnet", [appHost, "--publisher", "manifest", "--output-path", outputPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"manifest generation failed: {await output} {await errors}");
    }
}
