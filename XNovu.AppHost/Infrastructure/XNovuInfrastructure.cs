using Microsoft.Extensions.Configuration;

namespace XNovu.AppHost.Infrastructure;

/// <summary>The stateful resources every XNovu service depends on, however they are provided.</summary>
/// <param name="Database">The database as its owner: for the migrator only.</param>
/// <param name="AppDatabase">The database as <c>xnovu_app</c>, what both services share under row-level security: for tools and tests.</param>
/// <param name="Api">The database as <c>xnovu_api</c>, for the API.</param>
/// <param name="Dispatcher">The database as <c>xnovu_dispatcher</c>, for the dispatcher.</param>
/// <param name="Console">The database as <c>xnovu_console</c>, for the console's key ring only.</param>
internal sealed record XNovuInfrastructure(
    InfrastructureMode Mode,
    IResourceBuilder<IResourceWithConnectionString> Postgres,
    IResourceBuilder<IResourceWithConnectionString> Database,
    XNovuDatabaseLogin AppDatabase,
    XNovuDatabaseLogin Api,
    XNovuDatabaseLogin Dispatcher,
    XNovuDatabaseLogin Console,
    IResourceBuilder<IResourceWithConnectionString> Redis);

/// <summary>A login role of the database: its connection string and the generated password the migrator sets.</summary>
internal sealed record XNovuDatabaseLogin(
    IResourceBuilder<IResourceWithConnectionString> ConnectionString,
    IResourceBuilder<ParameterResource> Password);

internal static class XNovuInfrastructureExtensions
{
    public const string PostgresName = "postgres";
    public const string DatabaseName = "xnovu";
    public const string AppDatabaseName = "xnovu-app";
    public const string AppRole = "xnovu_app";
    public const string ApiDatabaseName = "xnovu-api";
    public const string ApiRole = "xnovu_api";
    public const string DispatcherDatabaseName = "xnovu-dispatcher";
    public const string DispatcherRole = "xnovu_dispatcher";
    public const string ConsoleDatabaseName = "xnovu-console";
    public const string ConsoleRole = "xnovu_console";
    public const string RedisName = "redis";

    public static XNovuInfrastructure AddXNovuInfrastructure(this IDistributedApplicationBuilder builder)
    {
        return ResolveMode(builder) switch
        {
            InfrastructureMode.Local => AddLocal(builder),
            InfrastructureMode.External => AddExternal(builder),
            _ => AddContainers(builder),
        };
    }

    private static InfrastructureMode ResolveMode(IDistributedApplicationBuilder builder)
    {
        // A deployment uses managed PostgreSQL and Redis: a database in a container on a network file share
        // (what azd makes of a volume) is a known way to corrupt it. Executables would be rejected by azd anyway.
        if (builder.ExecutionContext.IsPublishMode)
        {
            return InfrastructureMode.External;
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
        var endpoint = postgres.Resource.PrimaryEndpoint;
        XNovuDatabaseLogin Login(string name, string role, string description)
        {
            var password = AddPassword(builder, name, role, description);
            return new XNovuDatabaseLogin(
                AddLoginDatabase(
                    builder,
                    name,
                    ReferenceExpression.Create(
                        $"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};Username={role};Password={password.Resource};Database={DatabaseName}"),
                    postgres),
                password);
        }

        return new XNovuInfrastructure(
            InfrastructureMode.Containers, postgres, database, Login(AppDatabaseName, AppRole, AppDescription),
            Login(ApiDatabaseName, ApiRole, ApiDescription), Login(DispatcherDatabaseName, DispatcherRole, DispatcherDescription),
            Login(ConsoleDatabaseName, ConsoleRole, ConsoleDescription), redis);
    }

    /// <summary>
    /// Managed PostgreSQL and Redis that the operator provides (docs/deployment.md): the owner's connection string
    /// for the migrator, Redis's connection string, and the server's address, from which each service role's
    /// connection string is made with the password the migrator sets.
    /// </summary>
    private static XNovuInfrastructure AddExternal(IDistributedApplicationBuilder builder)
    {
        var database = builder.AddConnectionString(DatabaseName);
        var server = builder.AddParameter("postgres-server")
            .WithDescription("The PostgreSQL server as connection-string keys without login or database, e.g. "
                + "'Host=xnovu.postgres.database.azure.com;Port=5432;SSL Mode=Require'.");
        var redis = builder.AddConnectionString(RedisName);
        XNovuDatabaseLogin Login(string name, string role, string description)
        {
            var password = AddPassword(builder, name, role, description);
            return new XNovuDatabaseLogin(
                AddLoginDatabase(
                    builder,
                    name,
                    ReferenceExpression.Create($"{server.Resource};Username={role};Password={password.Resource};Database={DatabaseName}"),
                    server),
                password);
        }

        return new XNovuInfrastructure(
            InfrastructureMode.External, database, database, Login(AppDatabaseName, AppRole, AppDescription),
            Login(ApiDatabaseName, ApiRole, ApiDescription), Login(DispatcherDatabaseName, DispatcherRole, DispatcherDescription),
            Login(ConsoleDatabaseName, ConsoleRole, ConsoleDescription), redis);
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
        var port = postgres.Resource.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        XNovuDatabaseLogin Login(string name, string role, string description)
        {
            var password = AddPassword(builder, name, role, description);
            return new XNovuDatabaseLogin(
                AddLoginDatabase(
                    builder,
                    name,
                    ReferenceExpression.Create($"Host=127.0.0.1;Port={port};Username={role};Password={password.Resource};Database={DatabaseName}"),
                    postgres),
                password);
        }

        return new XNovuInfrastructure(
            InfrastructureMode.Local, postgres, database, Login(AppDatabaseName, AppRole, AppDescription),
            Login(ApiDatabaseName, ApiRole, ApiDescription), Login(DispatcherDatabaseName, DispatcherRole, DispatcherDescription),
            Login(ConsoleDatabaseName, ConsoleRole, ConsoleDescription), redis);
    }

    private const string AppDescription = "what both services share under row-level security; for tools and tests";
    private const string ApiDescription = "the API's login: enterprises, keys, triggers, management";
    private const string DispatcherDescription = "the dispatcher's login: claiming and completing deliveries, rules, retention";
    private const string ConsoleDescription = "the console's login: its Data Protection key ring and nothing else";

    private static IResourceBuilder<ParameterResource> AddPassword(IDistributedApplicationBuilder builder, string name, string role, string description) =>
        builder.AddParameter(
                // xnovu-app keeps the parameter name it had before the service roles, so deployments keep its value.
                name == AppDatabaseName ? "xnovu-db-app-password" : $"{name.Replace("xnovu-", "xnovu-db-", StringComparison.Ordinal)}-password",
                new GenerateParameterDefault { MinLength = 32, Special = false },
                secret: true)
            .WithDescription($"The password of {role}, {description}. The migrator sets it.");

    private static IResourceBuilder<IResourceWithConnectionString> AddLoginDatabase(
        IDistributedApplicationBuilder builder, string name, ReferenceExpression connectionString, IResourceBuilder<IResource> parent) =>
        builder.AddConnectionString(name, connectionString).WithParentRelationship(parent);
}
