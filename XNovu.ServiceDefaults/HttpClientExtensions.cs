using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class HttpClientExtensions
{
    /// <summary>
    /// Every HttpClient resolves service names through service discovery and goes through the
    /// standard resilience pipeline. A client that owns its own retry budget (the Novu client)
    /// replaces the pipeline on its own registration.
    /// </summary>
    public static TBuilder AddDefaultHttpClients<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }
}
