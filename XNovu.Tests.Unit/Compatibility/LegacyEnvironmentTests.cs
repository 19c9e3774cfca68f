using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace XNovu.Tests.Unit.Compatibility;

public sealed class LegacyEnvironmentTests
{
    [Fact]
    public void Original_names_set_our_settings_in_the_services()
    {
        var values = LegacyEnvironment.Resolve(LegacyEnvironment.ServiceAliases, Reader(new()
        {
            ["NOVU_SECRET_KEY"] = "sk",
            ["NOVU_API_URL"] = "https://eu.api.novu.co",
            ["NEXT_PUBLIC_NOVU_SUBSCRIBER_ID"] = "default-subscriber",
            ["NOVU_SUBSCRIBER_ID"] = "loses",
            ["REDIS_URL"] = "rediss://:p%40ss@cache:6380/2",
            ["DATABASE_URL"] = "postgres://app:s%3Bcret@db.example:5433/xnovu?sslmode=require",
        }));

        Assert.Equal("sk", values["XNovu:Novu:SecretKey"]);
        Assert.Equal("https://eu.api.novu.co", values["XNovu:Novu:ApiUrl"]);
        Assert.Equal("default-subscriber", values["XNovu:Novu:DefaultSubscriberId"]);
        Assert.Equal("cache:6380,password=p@ss,ssl=true,defaultDatabase=2", values["ConnectionStrings:redis"]);
        var database = new Npgsql.NpgsqlConnectionStringBuilder(values["ConnectionStrings:xnovu-app"]);
        Assert.Equal(("db.example", 5433, "app", "s;cret", "xnovu", Npgsql.SslMode.Require),
            (database.Host, database.Port, database.Username, database.Password, database.Database, database.SslMode));
        Assert.Equal(values["ConnectionStrings:xnovu-app"], values["ConnectionStrings:xnovu"]);
        // What the API and the dispatcher read (XNovu.Core's DataExtensions), not only the shared names.
        Assert.Equal(values["ConnectionStrings:xnovu-app"], values[$"ConnectionStrings:{XNovu.Core.DataExtensions.ApiConnectionName}"]);
        Assert.Equal(values["ConnectionStrings:xnovu-app"], values[$"ConnectionStrings:{XNovu.Core.DataExtensions.DispatcherConnectionName}"]);
    }

    [Fact]
    public void Original_names_set_the_AppHost_parameters()
    {
        var values = LegacyEnvironment.Resolve(LegacyEnvironment.AppHostAliases, Reader(new() { ["NOVU_SECRET_KEY"] = "sk", ["NOVU_API_URL"] = "http://novu:3000" }));

        Assert.Equal("sk", values["Parameters:novu-secret-key"]);
        Assert.Equal("http://novu:3000", values["Parameters:novu-api-url"]);
    }

    [Fact]
    public void Our_names_win_over_the_original_names_which_win_over_appsettings()
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["XNovu:Novu:ApiUrl"] = "from-appsettings", ["XNovu:Novu:SecretKey"] = "from-appsettings" });
        configuration.AddEnvironmentVariables();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["XNovu:Novu:ApiUrl"] = "from-aspire" });

        configuration.AddLegacyEnvironmentAliases(
            LegacyEnvironment.ServiceAliases, Reader(new() { ["NOVU_API_URL"] = "from-alias", ["NOVU_SECRET_KEY"] = "from-alias" }));

        Assert.Equal("from-aspire", configuration["XNovu:Novu:ApiUrl"]);
        Assert.Equal("from-alias", configuration["XNovu:Novu:SecretKey"]);
    }

    [Fact]
    public void Connection_strings_that_are_not_urls_are_kept()
    {
        Assert.Equal("Host=db;Database=x", LegacyEnvironment.PostgresConnectionString("Host=db;Database=x"));
        Assert.Equal("cache:6379,password=x", LegacyEnvironment.RedisConnectionString("cache:6379,password=x"));
    }

    private static Func<string, string?> Reader(Dictionary<string, string> environment) => name => environment.GetValueOrDefault(name);
}
