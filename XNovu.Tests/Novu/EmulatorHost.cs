using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using XNovu.NovuClient;
using XNovu.NovuEmulator;

namespace XNovu.Tests.Novu;

/// <summary>The emulator on a real Kestrel port, plus the real client built as services build it.</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    public const string SecretKey = "contract-secret-key";
    public const string UnknownWorkflow = "no-such-workflow";

    private readonly List<IHost> _clientHosts = [];
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Talks to the emulator without the Novu client: for inspection and raw wire checks.</summary>
    public HttpClient Http { get; private set; } = null!;

    public static async Task<EmulatorHost> StartAsync(Dictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var host = new EmulatorHost();
        host._app = EmulatorApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["NovuEmulator:SecretKey"] = SecretKey,
                ["NovuEmulator:DevelopmentEndpoints"] = "true",
                ["NovuEmulator:UnknownWorkflows:0"] = UnknownWorkflow,
                // Wire-level tests trigger made-up workflows; the workflow tests turn this off.
                ["NovuEmulator:AcceptUnknownWorkflows"] = "true",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            if (settings is not null)
            {
                builder.Configuration.AddInMemoryCollection(settings);
            }

            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        });
        await host._app.StartAsync();
        var address = host._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.BaseUrl = new Uri(address);
        host.Http = new HttpClient { BaseAddress = host.BaseUrl };
        return host;
    }

    public INovuClient CreateClient(string secretKey = SecretKey, double requestsPerSecond = 6000, TimeSpan? timeout = null, Uri? apiUrl = null)
    {
        var host = NovuClientHost.Build(new()
        {
            ["XNovu:Novu:ApiUrl"] = (apiUrl ?? BaseUrl).ToString(),
            ["XNovu:Novu:SecretKey"] = secretKey,
            ["XNovu:Novu:RequestsPerSecond"] = requestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["XNovu:Novu:Timeout"] = (timeout ?? TimeSpan.FromSeconds(10)).ToString(),
        });
        lock (_clientHosts)
        {
            _clientHosts.Add(host);
        }

        return host.Services.GetRequiredService<INovuClient>();
    }

    public async Task ResetAsync() => (await Http.DeleteAsync("/emulator/state")).EnsureSuccessStatusCode();

    public async Task<JsonArray> EventsAsync(string query = "") =>
        (await Http.GetFromJsonAsync<JsonArray>($"/emulator/events{query}"))!;

    public async Task<JsonArray> RequestsAsync() => (await Http.GetFromJsonAsync<JsonArray>("/emulator/requests"))!;

    public async Task AddFaultAsync(object fault) => (await Http.PostAsJsonAsync("/emulator/faults", fault)).EnsureSuccessStatusCode();

    /// <summary>A raw Novu call with the right key, to look at the wire answer itself.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null, string? idempotencyKey = null, string secretKey = SecretKey)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Authorization", $"ApiKey {secretKey}");
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return Http.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _clientHosts)
        {
            host.Dispose();
        }

        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

/// <summary>One emulator for a whole test class; each test resets its state.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public EmulatorHost Emulator { get; private set; } = null!;

    public async Task InitializeAsync() => Emulator = await EmulatorHost.StartAsync();

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}
