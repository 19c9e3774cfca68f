using Npgsql;
using XNovu.MigrationService;

namespace XNovu.Tests.Migrations;

/// <summary>
/// What the tests on a scratch PostgreSQL (<see cref="ScratchPostgres"/>) share: the real migrator stopped at a
/// script, and one statement on a connection of its own (unpooled, as the scratch connection strings are).
/// </summary>
internal static class ScratchSql
{
    public static readonly Dictionary<string, string> NoPasswords = [];

    /// <summary>The migrator applying the numbered scripts through <paramref name="through"/> (null: all).</summary>
    public static DatabaseMigrator Migrator(string? through) =>
        new(Microsoft.Extensions.Logging.Abstractions.NullLogger<DatabaseMigrator>.Instance, new MigrationOptions { Through = through });

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// <paramref name="read"/> over a data source of its own (unpooled, named by <paramref name="reader"/>'s
    /// application name), answered once that source is closed and its server processes have ended: a process reports
    /// its statistics (the scans <c>pg_stat_user_tables</c> and <c>pg_stat_user_indexes</c> count) on its way out.
    /// </summary>
    public static async Task<T> ReadReportedAsync<T>(string connectionString, NpgsqlConnectionStringBuilder reader, Func<NpgsqlDataSource, Task<T>> read)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentException.ThrowIfNullOrEmpty(reader.ApplicationName);
        T answer;
        await using (var source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(reader.ConnectionString) { Pooling = false }))
        {
            answer = await read(source);
        }

        for (var wait = 0; await ScalarAsync(connectionString, $"SELECT count(*)::text FROM pg_stat_activity WHERE application_name = '{reader.ApplicationName}'") != "0"; wait++)
        {
            Xunit.Assert.True(wait < 100, "the reader's server process did not end");
            await Task.Delay(50);
        }

        return answer;
    }

    /// <summary>The first column of the first row as text; null for SQL NULL or no row.</summary>
    public static async Task<string?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? null : value.ToString();
    }
}
