using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace XNovu.Console;

/// <summary>The console is ready only when the API it fronts answers: without it no page can show anything.</summary>
internal sealed class ApiReachableCheck(IHttpClientFactory clients) : IHealthCheck
{
    public const string ClientName = "api-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await clients.CreateClient(ClientName).GetAsync("alive", cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"the API answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException ex)
        {
            return HealthCheckResult.Unhealthy("the API does not answer", ex);
        }
    }
}
