using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The original XNovu's environment variable names (<c>NOVU_SECRET_KEY</c>, <c>DATABASE_URL</c>, ...) as
/// aliases of our settings, so a team can bring its deployment's environment as it is. An alias is a
/// configuration source placed just below the environment variables: an Aspire or XNovu name set anywhere
/// (environment, command line, user secrets) wins, and an alias beats only the appsettings files.
/// </summary>
public static class LegacyEnvironment
{
    /// <summary>What each original name sets in a service (the API, the dispatcher, the migrator).</summary>
    public static IReadOnlyList<LegacyAlias> ServiceAliases { get; } =
    [
        new("NOVU_SECRET_KEY", ["XNovu:Novu:SecretKey"]),
        new("NOVU_API_URL", ["XNovu:Novu:ApiUrl"]),
        new("NEXT_PUBLIC_NOVU_SUBSCRIBER_ID", ["XNovu:Novu:DefaultSubscriberId"]),
        new("NOVU_SUBSCRIBER_ID", ["XNovu:Novu:DefaultSubscriberId"]),
        // The API reads xnovu-api and the dispatcher xnovu-dispatcher (their logins, bound by row-level security),
        // the migrator xnovu (the owner), tools xnovu-app: one URL serves whichever the process reads, with the
        // login it names.
        new("DATABASE_URL", ["ConnectionStrings:xnovu-api", "ConnectionStrings:xnovu-dispatcher", "ConnectionStrings:xnovu-app", "ConnectionStrings:xnovu"], PostgresConnectionString),
        new("REDIS_URL", ["ConnectionStrings:redis"], RedisConnectionString),
    ];

    /// <summary>What each original name sets in the AppHost, which passes it on to the services.</summary>
    public static IReadOnlyList<LegacyAlias> AppHostAliases { get; } =
    [
        new("NOVU_SECRET_KEY", ["Parameters:novu-secret-key"]),
        new("NOVU_API_URL", ["Parameters:novu-api-url"]),
        new("NEXT_PUBLIC_NOVU_SUBSCRIBER_ID", ["XNovu:Novu:DefaultSubscriberId"]),
        new("NOVU_SUBSCRIBER_ID", ["XNovu:Novu:DefaultSubscriberId"]),
    ];

    /// <summary>Adds the aliases read from <paramref name="read"/> (the process environment by default).</summary>
    public static TBuilder AddLegacyEnvironmentAliases<TBuilder>(
        this TBuilder configuration, IReadOnlyList<LegacyAlias> aliases, Func<string, string?>? read = null)
        where TBuilder : IConfigurationBuilder
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(aliases);
        var values = Resolve(aliases, read ?? Environment.GetEnvironmentVariable);
        if (values.Count == 0)
        {
            return configuration;
        }

        var source = new MemoryConfigurationSource { InitialData = values };
        var sources = configuration.Sources;
        var environment = sources.ToList().FindIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        if (environment < 0)
        {
            sources.Add(source);
        }
        else
        {
            sources.Insert(environment, source);
        }

        return configuration;
    }

    /// <summary>The settings the aliases give, keyed by our names; an empty or unparsable value gives none.</summary>
    public static Dictionary<string, string?> Resolve(IReadOnlyList<LegacyAlias> aliases, Func<string, string?> read)
    {
        ArgumentNullException.ThrowIfNull(aliases);
        ArgumentNullException.ThrowIfNull(read);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var alias in aliases)
        {
            if (read(alias.Name) is not { Length: > 0 } raw || (alias.Convert is null ? raw : alias.Convert(raw)) is not { } value)
            {
                continue;
            }

            foreach (var key in alias.Keys)
            {
                // The first alias to name a key wins (NEXT_PUBLIC_NOVU_SUBSCRIBER_ID before NOVU_SUBSCRIBER_ID).
                values.TryAdd(key, value);
            }
        }

        return values;
    }

    /// <summary>
    /// <c>postgres://user:password@host:5432/db?sslmode=require</c> as an Npgsql connection string; a value
    /// that is not such a URL is taken as a connection string already.
    /// </summary>
    public static string? PostgresConnectionString(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
        {
            return value;
        }

        var builder = new DbConnectionStringBuilder { ["Host"] = uri.Host };
        if (uri.Port > 0)
        {
            builder["Port"] = uri.Port;
        }

        var (user, password) = UserInfo(uri);
        if (user is not null)
        {
            builder["Username"] = user;
        }

        if (password is not null)
        {
            builder["Password"] = password;
        }

        if (uri.AbsolutePath.Trim('/') is { Length: > 0 } database)
        {
            builder["Database"] = Uri.UnescapeDataString(database);
        }

        foreach (var (name, setting) in Query(uri))
        {
            if (name.Equals("sslmode", StringComparison.OrdinalIgnoreCase))
            {
                builder["SSL Mode"] = setting;
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// <c>redis://:password@host:6379/0</c> (or <c>rediss://</c> for TLS) as a StackExchange.Redis
    /// configuration string; a value that is not such a URL is taken as one already.
    /// </summary>
    public static string? RedisConnectionString(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss"))
        {
            return value;
        }

        var parts = new List<string> { $"{uri.Host}:{(uri.Port > 0 ? uri.Port : 6379)}" };
        var (user, password) = UserInfo(uri);
        if (user is { Length: > 0 })
        {
            parts.Add($"user={user}");
        }

        if (password is { Length: > 0 })
        {
            parts.Add($"password={password}");
        }

        if (uri.Scheme == "rediss")
        {
            parts.Add("ssl=true");
        }

        if (int.TryParse(uri.AbsolutePath.Trim('/'), System.Globalization.CultureInfo.InvariantCulture, out var database))
        {
            parts.Add($"defaultDatabase={database}");
        }

        return string.Join(',', parts);
    }

    private static (string? User, string? Password) UserInfo(Uri uri)
    {
        if (uri.UserInfo is not { Length: > 0 } info)
        {
            return (null, null);
        }

        var colon = info.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? (Uri.UnescapeDataString(info), null)
            : (Uri.UnescapeDataString(info[..colon]) is { Length: > 0 } user ? user : null, Uri.UnescapeDataString(info[(colon + 1)..]));
    }

    private static IEnumerable<(string Name, string Value)> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => (Uri.UnescapeDataString(pair[0]), pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : string.Empty));
}

/// <param name="Name">The original's environment variable.</param>
/// <param name="Keys">Our configuration keys it sets.</param>
/// <param name="Convert">Turns its value into ours (a URL into a connection string); null keeps it.</param>
public sealed record LegacyAlias(string Name, IReadOnlyList<string> Keys, Func<string, string?>? Convert = null);
