using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Polly;
using Polly.Timeout;
using XNovu.Client.Api;
using XNovu.Client.Http;

namespace Microsoft.Extensions.DependencyInjection;

public static class XNovuClientServiceCollectionExtensions
{
    /// <summary>The named <see cref="HttpClient"/> the client uses; configure it further through the returned builder.</summary>
    public const string HttpClientName = "XNovu.Client";

    /// <summary>
    /// Registers <see cref="XNovuApiClient"/>: Bearer key, <c>https+http://api</c> service discovery, retries of
    /// 429 and 503 after their <c>Retry-After</c>, an Idempotency-Key per trigger, and errors as
    /// <see cref="XNovu.Client.XNovuProblemException"/>.
    /// </summary>
    /// <remarks>
    /// Handlers, outermost first: Idempotency-Key (so retries repeat one key), problems (so only the final answer
    /// throws), Bearer key, retries, service discovery (resolved again on each attempt).
    /// </remarks>
    public static IHttpClientBuilder AddXNovuClient(this IServiceCollection services, Action<XNovu.Client.XNovuClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<XNovu.Client.XNovuClientOptions>()
            .Configure(configure)
            .Validate(o => o.BaseAddress is { IsAbsoluteUri: true }, "XNovu client: BaseAddress must be an absolute URL.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey), "XNovu client: ApiKey is required.")
            .Validate(o => o.MaxRetries is >= 0 and <= 10, "XNovu client: MaxRetries must be between 0 and 10.")
            .Validate(o => o.TotalTimeout > TimeSpan.Zero, "XNovu client: TotalTimeout must be positive.")
            .ValidateOnStart();
        // Service discovery reads endpoints from configuration; a bare ServiceCollection (a console tool) has none.
        services.TryAddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddServiceDiscovery();

        var http = services.AddHttpClient(HttpClientName)
            .AddHttpMessageHandler(() => new IdempotencyKeyHandler())
            .AddHttpMessageHandler(() => new ProblemHandler())
            .AddHttpMessageHandler(sp => new BearerKeyHandler(sp.GetRequiredService<IOptionsMonitor<XNovu.Client.XNovuClientOptions>>(), Options.Options.DefaultName));
        // A host's ConfigureHttpClientDefaults (Aspire's ServiceDefaults add the standard handler) runs before this:
        // a second retry layer around ours would repeat writes that carry no Idempotency-Key and multiply every
        // wait, so the client keeps only its own, which knows what is safe to repeat.
        // Marked experimental (EXTEXP0001) but the library's own way to do exactly this; the alternative is
        // reaching into the factory's handler list by hand.
#pragma warning disable EXTEXP0001
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        http.AddResilienceHandler("xnovu", static (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<XNovu.Client.XNovuClientOptions>>().Value;
            pipeline.AddTimeout(options.TotalTimeout);
            if (options.MaxRetries > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxRetries,
                    ShouldRetryAfterHeader = true,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(500),
                    ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                });
            }
        });
        http.AddServiceDiscovery();

        services.TryAddTransient(sp =>
        {
            var options = sp.GetRequiredService<IOptions<XNovu.Client.XNovuClientOptions>>().Value;
            var client = sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);
            var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: client)
            {
                BaseUrl = options.BaseAddress.ToString().TrimEnd('/'),
            };
            return new XNovuApiClient(adapter);
        });
        return http;
    }

    /// <summary>
    /// 429 and 503 are retried: the server said when, and a refused call wrote nothing. A lost connection or a
    /// timed-out attempt is retried only when repeating it is safe: reads, and triggers (their Idempotency-Key).
    /// </summary>
    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        if (outcome.Result is { } response)
        {
            return response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;
        }

        if (outcome.Exception is not (HttpRequestException or TimeoutRejectedException))
        {
            return false;
        }

        var request = context.GetRequestMessage();
        return request is not null
            && (request.Method == HttpMethod.Get || request.Headers.Contains(IdempotencyKeyHandler.Header));
    }
}
