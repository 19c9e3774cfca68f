using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Compatibility;

/// <summary>
/// An original XNovu database for one test class: a database of its own on the AppHost's PostgreSQL server, built
/// from the original's real schema (<c>original-schema.sql</c> and <c>original-permission.sql</c>, verbatim from
/// psychomelet/xnovu 86f4b06, after <c>original-platform.sql</c>, the minimal stand-ins for its platform) and filled
/// from <c>original-data.sql</c>; dropped afterwards.
/// </summary>
public sealed class OriginalDatabase(XNovuAppFixture fixture) : IAsyncDisposable
{
    public static readonly Guid Acme = Guid.Parse("11111111-1111-1111-1111-111111111111");

    private readonly string _name = $"original_{Guid.NewGuid():N}"[..24];
    private string? _ownerConnectionString;

    public string ConnectionString { get; private set; } = string.Empty;

    public async Task CreateAsync()
    {
        _ownerConnectionString = await fixture.ConnectionStringAsync("xnovu");
        await using (var server = new NpgsqlConnection(_ownerConnectionString))
        {
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_name}", server);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(_ownerConnectionString) { Database = _name, Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        foreach (var script in new[] { "original-platform.sql", "original-schema.sql", "original-permission.sql", "original-data.sql" })
        {
            await using var command = new NpgsqlCommand(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Compatibility", script)), connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Runs the built <c>xnovu</c> command (<c>dotnet XNovu.Cli.dll import ... --json</c>) and answers its exit code and report.</summary>
    public async Task<(int ExitCode, JsonObject Report, string Errors)> ImportAsync(TestEnterprise into, bool dryRun = false, bool notifications = false)
    {
        var cli = Path.Combine(RepositoryPaths.Root, "XNovu.Cli", "bin", RepositoryPaths.Configuration, "net10.0", "XNovu.Cli.dll");
        using var api = fixture.CreateHttpClient("api");
        var arguments = new List<string>
        {
            cli, "import", "--source", ConnectionString, "--enterprise", Acme.ToString(),
            "--api-url", api.BaseAddress!.ToString(), "--api-key", into.ApiKey, "--json",
        };
        if (dryRun)
        {
            arguments.Add("--dry-run");
        }

        if (notifications)
        {
            arguments.Add("--notifications");
        }

        using var process = Process.Start(new ProcessStartInfo("dotnet", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var text = await output;
        Assert.True(text.TrimStart().StartsWith('{'), $"xnovu import printed no report (exit {process.ExitCode}): {text} {await errors}");
        return (process.ExitCode, JsonNode.Parse(text)!.AsObject(), await errors);
    }

    /// <summary>A connection to the original database, as its worker or writers would have.</summary>
    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownerConnectionString is null)
        {
            return;
        }

        await using var server = new NpgsqlConnection(_ownerConnectionString);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}

internal static class ImportReportExtensions
{
    /// <summary>The report's entries as "action kind name" lines, for whole-set assertions.</summary>
    public static string[] Lines(this JsonObject report, params string[] actions) =>
        report["entries"]!.AsArray()
            .Select(e => ((string)e!["action"]!, (string)e["kind"]!, (string)e["name"]!))
            .Where(e => actions.Length == 0 || actions.Contains(e.Item1, StringComparer.OrdinalIgnoreCase))
            .Select(e => $"{e.Item1.ToLowerInvariant()} {e.Item2} {e.Item3}")
            .Order(StringComparer.Ordinal)
            .ToArray();

    public static string Detail(this JsonObject report, string action, string kind, string name) =>
        string.Join(" | ", report["entries"]!.AsArray()
            .Where(e => ((string)e!["action"]!).Equals(action, StringComparison.OrdinalIgnoreCase) && (string)e["kind"]! == kind && (string)e["name"]! == name)
            .Select(e => (string?)e!["detail"] ?? string.Empty));
}
