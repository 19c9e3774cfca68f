using System.Net;
using System.Net.Http.Json;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Enterprises;

[Collection(AppCollection.Name)]
public sealed class EnterpriseAdminTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Admin_creates_lists_and_gets_enterprises()
    {
        var enterprise = await fixture.CreateEnterpriseAsync("Acme Admin Test");
        using var admin = fixture.CreateAdminClient();

        var list = await (await admin.GetAsync("/api/admin/enterprises")).ReadArrayAsync();
        var one = await admin.GetAsync($"/api/admin/enterprises/{enterprise.Id}");

        Assert.Contains(list, e => (string)e!["id"]! == enterprise.Id.ToString());
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal("Acme Admin Test", (string)(await one.ReadObjectAsync())["name"]!);
    }

    [Fact]
    public async Task Admin_endpoints_refuse_a_missing_or_wrong_key_and_enterprise_keys()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var anonymous = fixture.CreateHttpClient("api");
        using var wrong = fixture.CreateHttpClient("api").WithBearer("not-the-admin-key");

        var none = await anonymous.GetAsync("/api/admin/enterprises");
        var bad = await wrong.GetAsync("/api/admin/enterprises");
        var tenant = await enterprise.Client.GetAsync("/api/admin/enterprises");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://xnovu.dev/problems/unauthorized", (string)(await none.ReadObjectAsync())["type"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, tenant.StatusCode);
    }

    [Fact]
    public async Task Api_key_is_returned_once_listed_without_secret_and_revocable()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();

        var listed = await (await admin.GetAsync($"/api/admin/enterprises/{enterprise.Id}/api-keys")).ReadArrayAsync();
        var before = await enterprise.Client.GetAsync("/api/categories");
        var keyId = (string)listed[0]!["id"]!;
        var revoked = await admin.DeleteAsync($"/api/admin/enterprises/{enterprise.Id}/api-keys/{keyId}");
        var after = await enterprise.Client.GetAsync("/api/categories");

        Assert.Single(listed);
        Assert.Null(listed[0]!["key"]);
        Assert.DoesNotContain(enterprise.ApiKey, listed.ToJsonString(), StringComparison.Ordinal);
        Assert.StartsWith($"xnk_{(string)listed[0]!["prefix"]!}_", enterprise.ApiKey, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Enterprise_without_a_name_is_422_and_nothing_is_created()
    {
        using var admin = fixture.CreateAdminClient();
        var before = (await (await admin.GetAsync("/api/admin/enterprises")).ReadArrayAsync()).Count;

        var answer = await admin.PostAsJsonAsync("/api/admin/enterprises", new { name = "  " });
        var after = (await (await admin.GetAsync("/api/admin/enterprises")).ReadArrayAsync()).Count;

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        Assert.NotNull((await answer.ReadObjectAsync())["errors"]!["name"]);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Unknown_enterprise_is_404()
    {
        using var admin = fixture.CreateAdminClient();

        var answer = await admin.GetAsync($"/api/admin/enterprises/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }
}
