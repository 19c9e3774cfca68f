using Microsoft.Extensions.Logging;
using Npgsql;

namespace XNovu.Core.Persistence;

/// <summary>
/// How every service turns a connection string into a data source, so that a primary with standbys is named the
/// same way everywhere: <c>Host=pg-a:5432,pg-b:5432;Target Session Attributes=primary</c> (docs/operations.md,
/// "Production topology"). With one host nothing changes.
/// </summary>
/// <remarks>
/// A multi-host data source without a target session hands out a connection to whichever host answers first, a
/// standby included, where every write fails with 25006 (read-only transaction); and Npgsql's builders have not
/// always accepted <c>Target Session Attributes</c> in a data source's connection string (some versions refuse it).
/// So the attribute is taken out of the string and applied the documented way,
/// <see cref="NpgsqlMultiHostDataSource.WithTargetSession"/>, primary when none is named: a connection string that
/// forgets it still writes to the primary.
/// </remarks>
public static class PostgresDataSources
{
    /// <summary>
    /// How long Npgsql trusts what it learned of a host (primary, standby, down) before asking again, when the
    /// connection string does not say. Npgsql's default is 10 s: after a promotion the services would refuse
    /// every write (503) for up to 10 s more, looking for a primary among hosts they still believe are standbys.
    /// Two seconds cost one <c>SHOW</c> per host every two seconds at most.
    /// </summary>
    public const int HostRecheckSeconds = 2;

    /// <summary>Whether the connection string names several hosts (a primary and its standbys).</summary>
    public static bool IsMultiHost(NpgsqlConnectionStringBuilder connectionString) =>
        connectionString.Host?.Contains(',', StringComparison.Ordinal) == true;

    /// <summary>
    /// The session a multi-host data source hands out: what the connection string's <c>Target Session Attributes</c>
    /// names, primary when it names none (the services write).
    /// </summary>
    public static TargetSessionAttributes TargetSession(NpgsqlConnectionStringBuilder connectionString) =>
        connectionString.TargetSessionAttributes?.Trim().ToLowerInvariant() switch
        {
            null or "" or "primary" => TargetSessionAttributes.Primary,
            "read-write" => TargetSessionAttributes.ReadWrite,
            "read-only" => TargetSessionAttributes.ReadOnly,
            "standby" => TargetSessionAttributes.Standby,
            "prefer-primary" => TargetSessionAttributes.PreferPrimary,
            "prefer-standby" => TargetSessionAttributes.PreferStandby,
            "any" => TargetSessionAttributes.Any,
            var other => throw new ArgumentException($"Target Session Attributes '{other}' is not one Npgsql knows.", nameof(connectionString)),
        };

    /// <summary>
    /// A data source over <paramref name="connectionString"/> after <paramref name="configure"/>: a plain one for one
    /// host, a multi-host one bound to <see cref="TargetSession"/> for several.
    /// </summary>
    public static NpgsqlDataSource Create(string connectionString, ILoggerFactory? loggerFactory, Action<NpgsqlConnectionStringBuilder>? configure = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        configure?.Invoke(builder);
        if (!IsMultiHost(builder))
        {
            return new NpgsqlDataSourceBuilder(builder.ConnectionString).UseLoggerFactory(loggerFactory).Build();
        }

        var target = TargetSession(builder);
        builder.TargetSessionAttributes = null;
        if (!builder.ConnectionString.Contains("Host Recheck Seconds", StringComparison.OrdinalIgnoreCase))
        {
            builder.HostRecheckSeconds = HostRecheckSeconds;
        }

        return new NpgsqlDataSourceBuilder(builder.ConnectionString).UseLoggerFactory(loggerFactory).BuildMultiHost().WithTargetSession(target);
    }
}
