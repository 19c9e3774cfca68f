using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using XNovu.Cli.Import;
using XNovu.Client.Api;

namespace XNovu.Cli;

/// <summary>
/// <c>xnovu import</c>: copies one enterprise's definitions from an original XNovu database into an XNovu
/// enterprise through the API. Exit codes: 0 done, 2 done but something could not be converted or was
/// refused (the report says what), 1 nothing could be done (bad arguments, a database or API unreachable).
/// </summary>
internal static class ImportCommand
{
    public const int Incomplete = 2;
    public const int Failed = 1;

    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var source = new Option<string>("--source")
        {
            Description = "Connection string of the original XNovu database (Npgsql form: Host=...;Database=...;Username=...;Password=...). Default: XNOVU_IMPORT_SOURCE.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XNOVU_IMPORT_SOURCE") ?? string.Empty,
        };
        var enterprise = new Option<Guid>("--enterprise")
        {
            Description = "The enterprise id (uuid) to copy from the original database.",
            Required = true,
        };
        var apiUrl = new Option<string>("--api-url")
        {
            Description = "XNovu's API. Default: XNOVU_API_URL, else http://localhost:3000.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XNOVU_API_URL") ?? "http://localhost:3000",
        };
        var apiKey = new Option<string>("--api-key")
        {
            Description = "The target XNovu enterprise's API key (xnk_...). Default: XNOVU_API_KEY.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XNOVU_API_KEY") ?? string.Empty,
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be done; write nothing." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var notifications = new Option<bool>("--notifications")
        {
            Description = "Cutover: also bring the original's PENDING notifications (due or scheduled for later), keeping their transaction ids, "
                + "and mark each moved in the original (needs UPDATE on notify.ent_notification). Stop the original's worker first.",
        };

        var command = new Command("import", "Copy one enterprise's categories, priorities, templates, workflows and rules from an original XNovu database.")
        {
            source, enterprise, apiUrl, apiKey, dryRun, json, notifications,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var connectionString = result.GetValue(source);
            var key = result.GetValue(apiKey);
            if (string.IsNullOrWhiteSpace(connectionString) || string.IsNullOrWhiteSpace(key))
            {
                await Console.Error.WriteLineAsync("Give --source (or XNOVU_IMPORT_SOURCE) and --api-key (or XNOVU_API_KEY).");
                return Failed;
            }

            if (!Uri.TryCreate(result.GetValue(apiUrl), UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https"))
            {
                await Console.Error.WriteLineAsync($"--api-url must be an http or https URL, not '{result.GetValue(apiUrl)}'.");
                return Failed;
            }

            return await RunAsync(connectionString, result.GetValue(enterprise), api, key, result.GetValue(dryRun), result.GetValue(json), result.GetValue(notifications), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        string connectionString, Guid enterpriseId, Uri apiUrl, string apiKey, bool dryRun, bool json, bool notifications, CancellationToken cancellationToken)
    {
        OriginalEnterprise original;
        try
        {
            original = await OriginalDatabase.ReadAsync(connectionString, enterpriseId, notifications, cancellationToken);
        }
        catch (Exception error) when (error is NpgsqlException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"Cannot read the original database: {error.Message}");
            return Failed;
        }

        ImportReport report;
        try
        {
            var services = new ServiceCollection().AddLogging();
            services.AddXNovuClient(options =>
            {
                options.BaseAddress = apiUrl;
                options.ApiKey = apiKey;
            });
            await using var provider = services.BuildServiceProvider();
            var target = new ClientImportTarget(provider.GetRequiredService<XNovuApiClient>());
            var claims = notifications ? new OriginalNotificationClaims(connectionString, enterpriseId) : null;
            report = await new Importer(target, dryRun, claims).RunAsync(original, cancellationToken);
        }
        catch (Exception error) when (error is HttpRequestException or ImportTargetException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException or NpgsqlException)
        {
            var detail = error is ImportTargetException refused ? refused.Describe() : error.Message;
            // A cutover stopped here leaves rows marked moved in the original: a re-run brings them (409 for those XNovu has).
            await Console.Error.WriteLineAsync(error is NpgsqlException
                ? $"Cannot write the original database (marking notifications moved): {detail}. Re-run the import to finish."
                : $"Cannot use XNovu's API at {apiUrl}: {detail}");
            return Failed;
        }

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report, ReportJson));
        }
        else
        {
            Console.WriteLine(dryRun ? "Dry run: nothing was written. It would do:" : "Import:");
            foreach (var entry in report.Entries)
            {
                Console.WriteLine($"  {entry}");
            }

            Console.WriteLine(string.Join(", ", report.Counts.Select(c => $"{c.Value} {c.Key}")));
        }

        return report.Incomplete ? Incomplete : 0;
    }
}
