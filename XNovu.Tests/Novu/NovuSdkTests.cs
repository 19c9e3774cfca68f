using System.Diagnostics;
using XNovu.Testing;

namespace XNovu.Tests.Novu;

/// <summary>
/// Novu's official TypeScript SDK (<c>@novu/api</c>, the version pinned in <c>NovuSdk/package.json</c>, installed
/// by <c>.ci/run</c> with <c>npm ci</c>) against the emulator: workflow create, get, update and list, subscriber
/// preference get, update and bulk update, and their refusals. The SDK validates every answer with its own
/// schemas, so a field the emulator leaves out or misshapes fails this test (<c>NovuSdk/sdk-check.mjs</c>).
/// </summary>
public sealed class NovuSdkTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "XNovu.Tests", "Novu", "NovuSdk");

    [Fact]
    public async Task The_official_SDKs_workflow_and_preference_calls_pass_against_the_emulator()
    {
        Assert.True(Directory.Exists(Path.Combine(Folder, "node_modules", "@novu", "api")),
            $"@novu/api is not installed: run `npm ci` in {Folder} (.ci/run does).");

        var startInfo = new ProcessStartInfo("node",
            ["sdk-check.mjs", fixture.Emulator.BaseUrl.ToString().TrimEnd('/'), EmulatorHost.SecretKey, Guid.NewGuid().ToString("N")[..12]])
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"sdk-check.mjs exited {process.ExitCode}:\n{await output}\n{await errors}");
        Assert.Contains("9 of 9 SDK checks passed", await output);
    }
}
