using System.Net;
using System.Net.Http.Json;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Tenancy;

[Collection(AppCollection.Name)]
public sealed class EnterpriseScopeTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Body_naming_another_enterprise_is_403_and_writes_nothing()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();

        var answer = await a.Client.PostAsJsonAsync("/api/categories", new { enterpriseId = b.Id, code = "scope", name = "Scope" });
        var ownList = await (await a.Client.GetAsync("/api/categories")).ReadArrayAsync();
        var otherList = await (await b.Client.GetAsync("/api/categories")).ReadArrayAsync();

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal("https://xnovu.dev/problems/forbidden", (string)(await answer.ReadObjectAsync())["type"]!);
        Assert.Empty(ownList);
        Assert.Empty(otherList);
    }

    [Fact]
    public async Task Query_naming_another_enterprise_is_403()
    {
        var a = await fixture.CreateEnterpriseAsync();

        var answer = await a.Client.GetAsync($"/api/categories?enterpriseId={Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
    }

    [Fact]
    public async Task Naming_the_keys_own_enterprise_is_allowed()
    {
        var a = await fixture.CreateEnterpriseAsync();

        var answer = await a.Client.PostAsJsonAsync("/api/categories", new { enterpriseId = a.Id, code = "own", name = "Own" });

        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
    }

    [Fact]
    public async Task Missing_or_unknown_enterprise_key_is_401()
    {
        using var anonymous = fixture.CreateHttpClient("api");
        using var forged = fixture.CreateHttpClient("api").WithBearer("xnk_000000000000_not-a-real-secret-at-all");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/templates")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/templates")).StatusCode);
    }

    [Fact]
    public async Task OpenApi_document_and_reference_page_are_served()
    {
        using var client = fixture.CreateHttpClient("api");

        var document = await client.GetAsync("/openapi/v1.json");
        var page = await client.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Contains("/api/templates", await document.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }
}
