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
