using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XNovu.Tests.Infrastructure;

/// <summary>An enterprise made for one test, with a client that carries its key.</summary>
public sealed record TestEnterprise(Guid Id, string Name, string ApiKey, HttpClient Client);

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

    /// <summary>Creates an enterprise and one API key through the admin API.</summary>
    public static async Task<TestEnterprise> CreateEnterpriseAsync(this XNovuAppFixture fixture, string? name = null)
    {
        using var admin = fixture.CreateAdminClient();
        name ??= $"Enterprise {Guid.NewGuid():N}"[..24];
        var created = await admin.PostAsJsonAsync("/api/admin/enterprises", new { name });
        created.EnsureSuccessStatusCode();
        var enterprise = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var id = Guid.Parse((string)enterprise["id"]!);

        var keyAnswer = await admin.PostAsJsonAsync($"/api/admin/enterprises/{id}/api-keys", new { name = "tests" });
        keyAnswer.EnsureSuccessStatusCode();
        var key = (string)(await keyAnswer.Content.ReadFromJsonAsync<JsonObject>())!["key"]!;
        return new TestEnterprise(id, name, key, fixture.CreateHttpClient("api").WithBearer(key));
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
