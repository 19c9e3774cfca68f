using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace XNovu.Client.Http;

/// <summary>Sends the configured key as a Bearer token on every call.</summary>
internal sealed class BearerKeyHandler(IOptionsMonitor<XNovuClientOptions> options, string name) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", options.Get(name).ApiKey);
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// Gives every trigger (single and bulk) an <c>Idempotency-Key</c> unless the caller set one. It runs before
/// the retries, so each retry of one call carries the same key and XNovu stores the trigger at most once.
/// </summary>
internal sealed class IdempotencyKeyHandler : DelegatingHandler
{
    public const string Header = "Idempotency-Key";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Post && IsTrigger(request.RequestUri) && !request.Headers.Contains(Header))
        {
            request.Headers.Add(Header, Guid.NewGuid().ToString("N"));
        }

        return base.SendAsync(request, cancellationToken);
    }

    private static bool IsTrigger(Uri? uri)
    {
        var path = uri?.AbsolutePath.TrimEnd('/') ?? string.Empty;
        return path.EndsWith("/api/trigger", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith("/api/trigger/bulk", StringComparison.OrdinalIgnoreCase);
    }
}
