using System.Reflection;

namespace XNovu.Api.OpenApi;

/// <summary>
/// At build time the OpenAPI tool starts this app (with a server that listens nowhere) to read its document.
/// No database, Redis or Novu exists then, so the required settings get placeholders that point nowhere;
/// and XNovu's own background services (which would subscribe to Redis and poll PostgreSQL) are not started.
/// </summary>
internal static class BuildTimeDocument
{
    public static bool IsGenerating => Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    public static void AddPlaceholderSettings(this IHostApplicationBuilder builder)
    {
        if (!IsGenerating)
        {
            return;
        }

        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:xnovu-app"] = "Host=localhost;Port=1;Database=openapi;Username=openapi;Password=openapi",
            ["ConnectionStrings:redis"] = "localhost:1,abortConnect=false",
            ["XNovu:AdminKey"] = "build-time-openapi-placeholder",
            ["XNovu:Novu:SecretKey"] = "build-time-openapi-placeholder",
            ["XNovu:Novu:ApiUrl"] = "http://localhost:1",
        });
    }

    public static void WithoutBackgroundServices(this IHostApplicationBuilder builder)
    {
        if (!IsGenerating)
        {
            return;
        }

        // Data Protection's own start-up service reads the key ring, which lives in the database (NovuKeyRing).
        var ours = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)
            && (d.ImplementationType ?? d.ImplementationFactory?.Method.DeclaringType)?.Assembly.GetName().Name is { } assembly
            && (assembly.StartsWith("XNovu", StringComparison.Ordinal) || assembly == "Microsoft.AspNetCore.DataProtection")).ToList();
        foreach (var descriptor in ours)
        {
            builder.Services.Remove(descriptor);
        }
    }
}
