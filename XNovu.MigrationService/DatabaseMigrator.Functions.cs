using Microsoft.Extensions.Logging;
using Npgsql;

namespace XNovu.MigrationService;

/// <summary>The function files, applied on every run after the numbered scripts, and the service roles' logins.</summary>
public sealed partial class DatabaseMigrator
{
    /// <summary>
    /// Runs every function file (CREATE OR REPLACE and its grants) in one transaction, so a failing file leaves
    /// every function as it was. Bodies are not checked at creation (as pg_dump restores them): a SQL-language
    /// function may then call one whose file comes later in name order.
    /// </summary>
    private async Task ApplyFunctionFilesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var off = new NpgsqlCommand("SET LOCAL check_function_bodies = off", connection, transaction))
        {
            await off.ExecuteNonQueryAsync(cancellationToken);
        }

        var last = ScriptFileName(LastScriptToApply());
        foreach (var name in FunctionFileNames())
        {
            await using var stream = ScriptAssembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"Resource {name} is missing.");
            using var reader = new StreamReader(stream);
            var sql = await reader.ReadToEndAsync(cancellationToken);
            // Stopped at an earlier script (Through), a function file whose objects a later script creates is left
            // out: the database then keeps that release's definition, from the numbered scripts.
            if (RequiredScript(sql) is { } required && string.CompareOrdinal(required, last) > 0)
            {
                continue;
            }

            try
            {
                await using var apply = new NpgsqlCommand(sql, connection, transaction);
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e)
            {
                throw new MigrationFailedException(name, e);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        LogFunctionFiles(logger, FunctionFileNames().Count);
    }

    /// <summary>The numbered script a function file needs (its line <c>-- xnovu:requires 0041_...</c>), or null.</summary>
    public static string? RequiredScript(string sql) =>
        System.Text.RegularExpressions.Regex.Match(sql, @"^-- xnovu:requires (\S+)", System.Text.RegularExpressions.RegexOptions.Multiline) is { Success: true } m
            ? m.Groups[1].Value
            : null;

    private static async Task<bool> RoleExistsAsync(NpgsqlConnection connection, string role, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @role)", connection);
        exists.Parameters.AddWithValue("role", role);
        return (bool)(await exists.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task SetLoginPasswordAsync(NpgsqlConnection connection, string role, string password, CancellationToken cancellationToken)
    {
        if (role is not (AppRole or ApiRole or DispatcherRole or ConsoleRole))
        {
            throw new ArgumentException($"'{role}' is not a service role.", nameof(role));
        }

        // ALTER ROLE takes no parameters; the literal is quoted by the server's own quote_literal.
        await using var set = new NpgsqlCommand("SELECT set_config('xnovu.role_password', @password, false)", connection);
        set.Parameters.AddWithValue("password", password);
        await set.ExecuteNonQueryAsync(cancellationToken);
        await using var login = new NpgsqlCommand(
            $"DO $$ BEGIN EXECUTE format('ALTER ROLE {role} WITH LOGIN PASSWORD %L', current_setting('xnovu.role_password')); END $$",
            connection);
        await login.ExecuteNonQueryAsync(cancellationToken);
        await using var clear = new NpgsqlCommand("RESET xnovu.role_password", connection);
        await clear.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} function file(s) applied")]
    private static partial void LogFunctionFiles(ILogger logger, int count);
}
