using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Authentication;

/// <summary>A key created with an expiry (as the console's session keys are) stops working at the API then.</summary>
[Collection(AppCollection.Name)]
public sealed class ApiKeyExpiryTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task A_key_works_until_its_expiry_and_is_refused_after_it()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(3);

        var created = await admin.PostAsJsonAsync($"/api/admin/enterprises/{enterprise.Id}/api-keys", new { name = "session", expiresAt });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        using var client = fixture.CreateHttpClient("api").WithBearer((string)body["key"]!);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/templates")).StatusCode);
        var listed = (await admin.ListAsync($"/api/admin/enterprises/{enterprise.Id}/api-keys")).Single(k => (string)k!["id"]! == (string)body["id"]!)!;
        Assert.NotNull((string?)listed["expiresAt"]);

        await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300));

        // Refused at once, though the key's lookup is still cached: the expiry is compared at each call.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/templates")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await enterprise.Client.GetAsync("/api/templates")).StatusCode);
    }

    [Fact]
    public async Task A_key_that_would_expire_in_the_past_is_422()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();

        var answer = await admin.PostAsJsonAsync(
            $"/api/admin/enterprises/{enterprise.Id}/api-keys", new { name = "late", expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) });

        await answer.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
    }
}
