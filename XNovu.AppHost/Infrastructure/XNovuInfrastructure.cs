using Microsoft.Extensions.Configuration;

namespace XNovu.AppHost.Infrastructure;

/// <summary>The stateful resources every XNovu service depends on, however they are provided.</summary>
/// <param name="Database">The database as its owner: for the migrator only.</param>
/// <param name="AppDatabase">The database as <c>xnovu_app</c>, the role the row-level security policies bind: for the services.</param>
/// <param name="AppPassword">The password the migrator gives <c>xnovu_app</c>.</param>
internal sealed record XNovuInfrastructure(
    InfrastructureMode Mode,
    IResourceBuilder<IResourceWithConnectionString> Postgres,
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> AppDatabase,
    IResourceBuilder<ParameterResource> AppPassword,
    IResourceBuilder<IResourceWithConnectionString> Redis);

internal static class XNovuInfrastructureExtensions
{
    public const string PostgresName = "postgres";
    public const string DatabaseName = "xnovu";
    public const string AppDatabaseName = "xnovu-app";
    public const string AppRole = "xnovu_app";
    public const string RedisName = "redis";

    public static XNovuInfrastructure AddXNovuInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var mode = ResolveMode(builder);
        return mode == InfrastructureMode.Local ? AddLocal(builder) : AddContainers(builder);
    }

    private static InfrastructureMode ResolveMode(IDistributedApplicationBuilder builder)
    {
        // azd deploys containers; an executable in the manifest would be rejected.
        if (builder.ExecutionContext.IsPublishMode)
        {
            return InfrastructureMode.Containers;
        }

        var configured = builder.Configuration.GetValue("XNovu:Infrastructure", InfrastructureMode.Auto);
        if (configured != InfrastructureMode.Auto)
        {
            return configured;
        }

        return ContainerEngine.Answers(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"])
            ? InfrastructureMode.Containers
            : InfrastructureMode.Local;
    }

    private static XNovuInfrastructure AddContainers(IDistributedApplicationBuilder builder)
    {
        // Named volumes: the default name hashes the AppHost's path, which would differ per clone
        // and make the checked-in manifest depend on where it was generated.
        var postgres = builder.AddPostgres(PostgresName).WithDataVolume("xnovu-postgres-data");
        var database = postgres.AddDatabase(DatabaseName);
        var redis = builder.AddRedis(RedisName).WithDataVolume("xnovu-redis-data");
        var appPassword = AddAppPassword(builder);
        var endpoint = postgres.Resource.PrimaryEndpoint;
        var appDatabase = AddAppDatabase(
            builder,
            ReferenceExpression.Create(
                $"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};Username={AppRole};Password={appPassword.Resource};Database={DatabaseName}"),
            postgres);
        return new XNovuInfrastructure(InfrastructureMode.Containers, postgres, database, appDatabase, appPassword, redis);
    }

    private static XNovuInfrastructure AddLocal(IDistributedApplicationBuilder builder)
    {
        var paths = LocalDataPaths.Resolve(builder);
        var postgres = builder.AddLocalPostgres(PostgresName, paths);
        var database = builder.AddConnectionString(
                DatabaseName,
                ReferenceExpression.Create($"{postgres.Resource};Database={DatabaseName}"))
            .WithParentRelationship(postgres);
        var redis = builder.AddLocalRedis(RedisName, paths);
        var appPassword = AddAppPassword(builder);
        var appDatabase = AddAppDatabase(
            builder,
            ReferenceExpression.Create(
                $"Host=127.0.0.1;Port={postgres.Resource.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)};Username={AppRole};Password={appPassword.Resource};Database={DatabaseName}"),
            postgres);
        return new XNovuInfrastructure(InfrastructureMode.Local, postgres, database, appDatabase, appPassword, redis);
    }

    private static IResourceBuilder<ParameterResource> AddAppPassword(IDistributedApplicationBuilder builder) =>
        builder.AddParameter(
                "xnovu-db-app-password",
                new GenerateParameterDefault { MinLength = 32, Special = false },
                secret: true)
            .WithDescription("The password of xnovu_app, the database role the services use. The migrator sets it.");

    private static IResourceBuilder<IResourceWithConnectionString> AddAppDatabase(
        IDistributedApplicationBuilder builder, ReferenceExpression connectionString, IResourceBuilder<IResource> parent) =>
        builder.AddConnectionString(AppDatabaseName, connectionString).WithParentRelationship(parent);
}
