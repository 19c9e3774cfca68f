using System.Net;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Http;

/// <summary>
/// Browsers may call the API from the origins in <c>XNovu:Cors:AllowedOrigins</c> only: the fixture allows
/// <see cref="XNovuAppFixture.AllowedOrigin"/>, so each side of the rule is seen.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class CorsTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Preflight_from_the_allowed_origin_is_granted_its_method_and_headers()
    {
        using var client = fixture.CreateHttpClient("api");

        using var preflight = Preflight(XNovuAppFixture.AllowedOrigin, "POST", "authorization,content-type,idempotency-key");

        var answer = await client.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal([XNovuAppFixture.AllowedOrigin], answer.Headers.GetValues("Access-Control-Allow-Origin"));
        Assert.Contains("POST", string.Join(",", answer.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        var allowedHeaders = string.Join(",", answer.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
        Assert.Contains("authorization", allowedHeaders, StringComparison.Ordinal);
        Assert.Contains("idempotency-key", allowedHeaders, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_from_the_allowed_origin_is_answered_with_the_grant_and_the_exposed_headers()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/templates");
        request.Headers.Add("Origin", XNovuAppFixture.AllowedOrigin);

        var answer = await enterprise.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal([XNovuAppFixture.AllowedOrigin], answer.Headers.GetValues("Access-Control-Allow-Origin"));
        var exposed = string.Join(",", answer.Headers.GetValues("Access-Control-Expose-Headers"));
        Assert.Contains("Retry-After", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Location", exposed, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cross_origin_request_from_an_unlisted_origin_gets_no_cors_grant()
    {
        using var client = fixture.CreateHttpClient("api");

        using var preflight = Preflight("https://evil.example", "GET");

        var answer = await client.SendAsync(preflight);

        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string origin, string method, string? headers = null)
    {
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/templates");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", method);
        if (headers is not null)
        {
            preflight.Headers.Add("Access-Control-Request-Headers", headers);
        }

        return preflight;
    }
}
