using System.Diagnostics;
using Microsoft.Extensions.Options;
using XNovu.NovuClient;

namespace XNovu.Api.Operations;

/// <summary>
/// Asks Novu (or the emulator) for a subscriber that cannot exist, without the secret key: any answer below
/// 500 (401 from Novu Cloud, 404 from a permissive server) proves the API is up, and no secret ever leaves.
/// </summary>
public sealed class NovuProbe(IHttpClientFactory clients, IOptions<NovuClientOptions> novu, IOptions<OperationsOptions> options, TimeProvider time)
{
    public const string HttpClientName = "novu-probe";

    public sealed record Result(bool Reachable, string Url, double LatencyMs, int? StatusCode, string? Error);

    /// <summary>Novu's base URL as an operator may see it: no user info, query or fragment.</summary>
    public string DisplayUrl => new UriBuilder(novu.Value.ApiUrl) { UserName = string.Empty, Password = string.Empty, Query = string.Empty, Fragment = string.Empty }
        .Uri.GetLeftPart(UriPartial.Path);

    public async Task<Result> ProbeAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ProbeTimeout);
        try
        {
            using var client = clients.CreateClient(HttpClientName);
            var baseUrl = novu.Value.ApiUrl.ToString().TrimEnd('/');
            using var answer = await client.GetAsync(
                new Uri($"{baseUrl}/v1/subscribers/xnovu-probe-{Guid.NewGuid():N}"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)answer.StatusCode;
            return status < 500
                ? new Result(true, DisplayUrl, Elapsed(started), status, null)
                : new Result(false, DisplayUrl, Elapsed(started), status, $"answered {status}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Result(false, DisplayUrl, Elapsed(started), null, $"no answer within {options.Value.ProbeTimeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException e)
        {
            // The error kind only: a message could carry an address an operator should not see in a public answer.
            return new Result(false, DisplayUrl, Elapsed(started), null, $"unreachable ({e.HttpRequestError})");
        }
    }

    private double Elapsed(long started) => Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1);
}
