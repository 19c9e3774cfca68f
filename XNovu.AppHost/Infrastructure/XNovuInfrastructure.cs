using Microsoft.Extensions.Configuration;

namespace XNovu.AppHost.Infrastructure;

/// <summary>The stateful resources every XNovu service depends on, however they are provided.</summary>
internal sealed record XNovuInfrastructure(
    InfrastructureMode Mode,
    IResourceBuilder<IResourceWithConnectionString> Postgres,
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Redis);

internal static class XNovuInfrastructureExtensions
{
    public const string PostgresName = "postgres";
    public const string DatabaseName = "xnovu";
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
        return new XNovuInfrastructure(InfrastructureMode.Containers, postgres, database, redis);
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
        return new XNovuInfrastructure(InfrastructureMode.Local, postgres, database, redis);
    }
}
