using XNovu.AppHost.Infrastructure;

namespace XNovu.AppHost;

internal sealed record XNovuParameters(
    IResourceBuilder<ParameterResource> AdminKey,
    IResourceBuilder<ParameterResource> NovuApiUrl,
    IResourceBuilder<ParameterResource> NovuSecretKey);

internal static class Extensions
{
    public static XNovuParameters AddXNovuParameters(this IDistributedApplicationBuilder builder)
    {
        var adminKey = builder.AddParameter("xnovu-admin-key", secret: true)
            .WithDescription("The key that authorises /api/admin/* (enterprises and their API keys).");
        var novuApiUrl = builder.AddParameter("novu-api-url", "https://api.novu.co", publishValueAsDefault: true)
            .WithDescription("Novu's API base URL: Novu Cloud (US or EU) or a self-hosted Novu.");
        // Empty in development: the local Novu emulator then stands in for Novu.
        var novuSecretKey = builder.AddParameter(
                "novu-secret-key",
                () => builder.Configuration["Parameters:novu-secret-key"] ?? string.Empty,
                secret: true)
            .WithDescription("The Novu environment's secret API key. Leave empty locally to use the emulator.");
        return new XNovuParameters(adminKey, novuApiUrl, novuSecretKey);
    }

    /// <summary>
    /// What the API and the dispatcher both need: the database once migrated, Redis, and the keys.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithXNovuServiceDependencies(
        this IResourceBuilder<ProjectResource> service,
        XNovuInfrastructure infrastructure,
        IResourceBuilder<ProjectResource> migrations,
        XNovuParameters parameters) =>
        service
            .WithReference(infrastructure.AppDatabase)
            .WithReference(infrastructure.Redis)
            .WaitFor(infrastructure.Redis)
            .WaitForCompletion(migrations)
            .WithEnvironment("XNovu__AdminKey", parameters.AdminKey)
            .WithEnvironment("XNovu__Novu__ApiUrl", parameters.NovuApiUrl)
            .WithEnvironment("XNovu__Novu__SecretKey", parameters.NovuSecretKey);
}
