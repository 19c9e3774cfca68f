using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace XNovu.NovuClient;

/// <summary>
/// A Novu environment's address and secret key. <see cref="ToString"/> leaves the key out, so the credentials
/// never reach a log line or an exception message by accident.
/// </summary>
public sealed record NovuCredentials(Uri ApiUrl, string SecretKey)
{
    public override string ToString() => $"NovuCredentials {{ ApiUrl = {ApiUrl} }}";
}

/// <summary>
/// One <see cref="INovuClient"/> per Novu environment (URL and key) other than the configured one: each is a
/// <see cref="NovuRestClient"/> over the named HttpClient <see cref="HttpClientName"/> (the same handlers as the
/// typed client: no resilience handler, the dispatcher owns retries) with its own trigger throttle, so one
/// environment's pacing never slows another's. Cached by credentials: new credentials get a new client (and
/// a fresh throttle); <see cref="Retain"/> drops the clients of credentials no longer in use.
/// </summary>
public sealed class NovuClientPool(IHttpClientFactory clients, IOptions<NovuClientOptions> defaults, TimeProvider time)
{
    public const string HttpClientName = "novu-environment";

    private readonly ConcurrentDictionary<NovuCredentials, INovuClient> _clients = new();

    public INovuClient Get(NovuCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return _clients.GetOrAdd(credentials, Create);
    }

    /// <summary>Forgets every client whose credentials are not in <paramref name="live"/>.</summary>
    public void Retain(IReadOnlyCollection<NovuCredentials> live)
    {
        foreach (var credentials in _clients.Keys.Where(c => !live.Contains(c)))
        {
            _clients.TryRemove(credentials, out _);
        }
    }

    private NovuRestClient Create(NovuCredentials credentials)
    {
        var shared = defaults.Value;
        var options = new NovuClientOptions
        {
            ApiUrl = credentials.ApiUrl,
            SecretKey = credentials.SecretKey,
            RequestsPerSecond = shared.RequestsPerSecond,
            Timeout = shared.Timeout,
        };
        var baseUrl = options.ApiUrl.ToString();
        var baseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
        var bucket = new TokenBucket(options.RequestsPerSecond, options.RequestsPerSecond * TokenBucket.NovuWindow.TotalSeconds, time);
        return new NovuRestClient(
            () =>
            {
                var http = clients.CreateClient(HttpClientName);
                http.BaseAddress = baseAddress;
                http.Timeout = options.Timeout;
                return http;
            },
            options,
            bucket,
            time);
    }
}
