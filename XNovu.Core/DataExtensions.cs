using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using XNovu.Core.Persistence;

namespace XNovu.Core;

public static class DataExtensions
{
    /// <summary>Each service logs in to the database as its own role, granted only what it does.</summary>
    public const string ApiConnectionName = "xnovu-api";
    public const string DispatcherConnectionName = "xnovu-dispatcher";

    /// <summary>
    /// Optional: where the dispatcher's LISTEN connection goes when <see cref="DispatcherConnectionName"/> names a pooler
    /// in transaction mode, which cannot carry a LISTEN (the PostgreSQL server itself, or its hosts). Unset: the same.
    /// </summary>
    public const string DispatcherListenConnectionName = "xnovu-dispatcher-listen";
    public const string RedisConnectionName = "redis";

    /// <summary>
    /// Optional: the API's read-only history queries on a standby, e.g.
    /// <c>Host=pg-a,pg-b;Target Session Attributes=prefer-standby;Username=xnovu_api;...</c> (see <see cref="XNovuReadDatabase"/>).
    /// </summary>
    public const string ApiReadsConnectionName = "xnovu-api-reads";

    /// <summary>
    /// PostgreSQL through one pooled <c>NpgsqlDataSource</c> and Redis through one multiplexer (short timeouts, fail fast), each with
    /// Aspire's health check, tracing and metrics. Both checks feed <c>/health</c>.
    /// </summary>
    /// <param name="connectionName"><see cref="ApiConnectionName"/> or <see cref="DispatcherConnectionName"/>.</param>
    public static IHostApplicationBuilder AddXNovuData(this IHostApplicationBuilder builder, string connectionName)
    {
        builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: dataSource =>
            XNovuDatabase.ApplyPoolSettings(dataSource.ConnectionStringBuilder));
        if (builder.Configuration.GetConnectionString(connectionName) is { } connectionString
            && PostgresDataSources.IsMultiHost(new Npgsql.NpgsqlConnectionStringBuilder(connectionString)))
        {
            // A primary and its standbys: the data source that follows the primary (PostgresDataSources) replaces
            // the one Aspire built, for the stores and for Aspire's health check alike.
            builder.Services.AddSingleton(sp => PostgresDataSources.Create(
                connectionString, sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(), XNovuDatabase.ApplyPoolSettings));
        }

        builder.Services.AddSingleton<XNovuDatabase>();
        builder.Services.AddSingleton(sp =>
            builder.Configuration.GetConnectionString(ApiReadsConnectionName) is { Length: > 0 } reads && connectionName == ApiConnectionName
                ? new XNovuReadDatabase(new XNovuDatabase(PostgresDataSources.Create(
                    reads, sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(), XNovuDatabase.ApplyPoolSettings))) { OffPrimary = true }
                : new XNovuReadDatabase(sp.GetRequiredService<XNovuDatabase>()));
        builder.AddRedisClient(RedisConnectionName, configureOptions: options =>
        {
            // Redis only accelerates (caches, shared rate limits): a dead Redis must cost microseconds, not
            // seconds. Commands fail at once while it is disconnected instead of queueing for a reconnect,
            // and a command that was sent waits at most half a second for its answer.
            options.AbortOnConnectFail = false;
            options.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast;
            options.ConnectTimeout = 2000;
            options.SyncTimeout = 500;
            options.AsyncTimeout = 500;
            // The .NET thread pool rather than the client's own dedicated one, whose threads spin while they wait
            // for work: on two cores that spinning was 5% of the API's CPU under trigger load (dotnet-trace, docs/benchmarks.md).
            options.SocketManager = StackExchange.Redis.SocketManager.ThreadPool;
        });
        return builder;
    }
}
