using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using XNovu.NovuClient;

namespace XNovu.Testing;

/// <summary>A host with the Novu client registered as the services register it, for tests of that registration and of the emulator.</summary>
public static class NovuClientHost
{
    /// <summary>As a service does it: service defaults, then the Novu client (or the other way round).</summary>
    public static IHost Build(Dictionary<string, string?> settings, Action<IHttpClientBuilder>? configure = null, bool serviceDefaultsFirst = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        if (serviceDefaultsFirst)
        {
            builder.AddServiceDefaults();
        }

        var http = builder.AddNovuClient();
        configure?.Invoke(http);
        if (!serviceDefaultsFirst)
        {
            builder.AddServiceDefaults();
        }

        return builder.Build();
    }
}
