using Microsoft.Extensions.Hosting;

namespace XNovu.Core;

public static class DataExtensions
{
    public const string DatabaseConnectionName = "xnovu";
    public const string RedisConnectionName = "redis";

    /// <summary>
    /// PostgreSQL through one pooled <c>NpgsqlDataSource</c> and Redis through one multiplexer, each with
    /// Aspire's health check, tracing and metrics. Both checks feed <c>/health</c>.
    /// </summary>
    public static IHostApplicationBuilder AddXNovuData(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource(DatabaseConnectionName);
        builder.AddRedisClient(RedisConnectionName);
        return builder;
    }
}
