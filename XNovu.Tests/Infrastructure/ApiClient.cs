using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using XNovu.Client.Api;
using XNovu.Client.Api.Models;

namespace XNovu.Tests.Infrastructure;

/// <summary>
/// An enterprise made for one test: <see cref="Client"/> is raw HTTP with its key, for tests that check wire
/// details; <see cref="Api"/> is XNovu.Client with the same key, for calls made as a caller would.
/// </summary>
public sealed record TestEnterprise(Guid Id, string Name, string ApiKey, HttpClient Client)
{
    public required XNovuApiClient Api { get; init; }
}

public static class ApiClientExtensions
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static HttpClient WithBearer(this HttpClient client, string key)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public static HttpClient CreateAdminClient(this XNovuAppFixture fixture) =>
        fixture.CreateHttpClient("api").WithBearer(XNovuAppFixture.AdminKey);

    /// <summary>The service providers behind the XNovu clients; kept for the test run, as an app keeps its own.</summary>
    private static readonly ConcurrentBag<ServiceProvider> ClientProviders = [];

    /// <summary>XNovu.Client as a service would register it, pointed at this app's API.</summary>
    public static XNovuApiClient CreateXNovuClient(this XNovuAppFixture fixture, string key, int maxRetries = 3)
    {
        using var http = fixture.CreateHttpClient("api");
        var services = new ServiceCollection();
        services.AddXNovuClient(o =>
        {
            o.BaseAddress = http.BaseAddress!;
            o.ApiKey = key;
            o.MaxRetries = maxRetries;
        });
        var provider = services.BuildServiceProvider();
        ClientProviders.Add(provider);
        return provider.GetRequiredService<XNovuApiClient>();
    }

    public static XNovuApiClient CreateAdminXNovuClient(this XNovuAppFixture fixture) => fixture.CreateXNovuClient(XNovuAppFixture.AdminKey);

    /// <summary>Creates an enterprise and one API key through the admin API, with XNovu.Client.</summary>
    public static async Task<TestEnterprise> CreateEnterpriseAsync(this XNovuAppFixture fixture, string? name = null)
    {
        var admin = fixture.CreateAdminXNovuClient();
        name ??= $"Enterprise {Guid.NewGuid():N}"[..24];
        var enterprise = await admin.Api.Admin.Enterprises.PostAsync(new CreateEnterpriseRequest { Name = name });
        var id = enterprise!.Id!.Value;

        var created = await admin.Api.Admin.Enterprises[id].ApiKeys.PostAsync(new CreateApiKeyRequest { Name = "tests" });
        var key = created!.Key!;
        return new TestEnterprise(id, name, key, fixture.CreateHttpClient("api").WithBearer(key)) { Api = fixture.CreateXNovuClient(key) };
    }

    /// <summary>The admin lets the enterprise's CRON rules fire as often as every second (the default floor is a minute).</summary>
    public static async Task AllowSubMinuteCronAsync(this XNovuAppFixture fixture, Guid enterpriseId)
    {
        using var admin = fixture.CreateAdminClient();
        (await admin.PutAsJsonAsync($"/api/admin/enterprises/{enterpriseId}/rule-limits", new { minCronIntervalSeconds = 1 })).EnsureSuccessStatusCode();
    }

    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    public static async Task<JsonArray> ReadArrayAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonArray>())!;
}
