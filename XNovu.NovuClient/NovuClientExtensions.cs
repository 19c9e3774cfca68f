using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using XNovu.NovuClient;

namespace Microsoft.Extensions.Hosting;

public static class NovuClientExtensions
{
    /// <summary>
    /// Registers <see cref="INovuClient"/> as a typed HttpClient configured from <c>XNovu:Novu</c>.
    /// </summary>
    public static IHttpClientBuilder AddNovuClient(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<NovuClientOptions>()
            .BindConfiguration(NovuClientOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NovuClientOptions>, NovuClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // One bucket per process: every NovuClient instance draws on the same plan budget.
        services.TryAddSingleton<NovuTriggerThrottle>();

        var http = services.AddHttpClient<INovuClient, NovuRestClient>((sp, client) =>
        {
            var options = sp.GetRequiredService<IOptions<NovuClientOptions>>().Value;
            var baseUrl = options.ApiUrl.ToString();
            client.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
            client.Timeout = options.Timeout;
        });

        // The service defaults put a retrying resilience handler on every HttpClient; a retry here would
        // spend the caller's budget behind its back and could send a trigger twice. EXTEXP0001: the API
        // is marked experimental in Microsoft.Extensions.Http.Resilience 10.11, yet it is the supported
        // way to take one client out of ConfigureHttpClientDefaults (a test pins the behaviour).
#pragma warning disable EXTEXP0001
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        // Enterprises' own Novu environments: the same handlers, one client and throttle per environment.
        services.TryAddSingleton<NovuClientPool>();
#pragma warning disable EXTEXP0001
        services.AddHttpClient(NovuClientPool.HttpClientName).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return http;
    }
}
