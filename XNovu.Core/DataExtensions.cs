using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using XNovu.Core.Persistence;

namespace XNovu.Core;

public static class DataExtensions
{
    public const string DatabaseConnectionName = "xnovu-app";
    public const string RedisConnectionName = "redis";

    /// <summary>
    /// PostgreSQL through one pooled <c>NpgsqlDataSource</c> and Redis through one multiplexer, each with
    /// Aspire's health check, tracing and metrics. Both checks feed <c>/health</c>.
    /// </summary>
    public static IHostApplicationBuilder AddXNovuData(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource(DatabaseConnectionName);
        builder.Services.AddSingleton<XNovuDatabase>();
        builder.AddRedisClient(RedisConnectionName);
        return builder;
    }
}
