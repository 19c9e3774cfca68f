using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using XNovu.MigrationService;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Migrations;

/// <summary>
/// The function files (XNovu.MigrationService/Functions) are each database function's live definition. Two scratch
/// databases on the test PostgreSQL, one migrated by the numbered scripts alone and one by the whole migrator, show
/// that the files reproduce every function exactly (body, planner settings, grants, owner), that each function has
/// its file, and that applying them again changes nothing. The schemas are notify, public and original_compat (whose two
/// functions joined the files after 0046, whose trigger function repeated 0045's body whole).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class FunctionFileTests(XNovuAppFixture fixture)
{
    /// <summary>
    /// Functions whose file was changed after the last numbered script that created them, so they differ from the
    /// numbered scripts' body on purpose. Add a function here in the commit that changes its file.
    /// </summary>
    private static readonly HashSet<string> ChangedSinceNumberedScripts =
    [
        // Issue 30: a delivery keeps how it was first rendered (rendering); issue 29: skipped and digest outcomes.
        "notify.complete_deliveries(text,jsonb)",
        // Issue 29: a digested member follows its sender's outcome instead of completing when the sender is chosen.
        "notify.digest_step(jsonb)",
        // Issue 32: deliveries take their notification's day in their ids; deletes name a row by table and ctid and
        // remove deliveries, events and keys explicitly (no cascade between day partitions).
        "notify.create_statement_deliveries()",
        "notify.expand_deliveries(bigint,integer)",
        "notify.purge_enterprise(uuid,integer)",
        "notify.purge_notifications(double precision,integer)",
        // Issue 32: a transaction id is claimed in notify.notification_transaction before the notification is inserted.
        "notify.fire_rule_tick(bigint,timestamp with time zone,timestamp with time zone)",
        "notify.enqueue_notification(uuid,text,jsonb,jsonb,timestamp with time zone,text,jsonb,text[])",
        // Issue 32: a webhook finds its delivery by the transaction key and the notification's day, not by probing every day.
        "notify.apply_novu_webhook(uuid,text,uuid,text,text,timestamp with time zone,text,text,text,text,text,text)",
        // Issue 32: reads of a notification's deliveries are bounded by delivery_id_range (one day partition), and the
        // row-by-row deletes share one chain (delete_history_rows).
        "notify.refresh_notification_status(bigint[])",
        "notify.purge_enterprise_history(uuid,integer)",
        // Issue 32: GET /api/metrics counts the last 24 hours' deliveries (one or two day partitions), not the history.
        "notify.delivery_stats()",
        // Issue 32: each inserted row's transaction key is looked up alone, by the full key, not by an anti-join.
        "notify.record_notification_transactions()",
        // Issue 32: the claim and its neighbours name only the days from the claim's floor (delivery_floor) to an hour
        // ahead, with custom plans; the completion's plans are custom too; a restart lowers the floor; the batch's span is whole days.
        "notify.claim_deliveries(text,integer,integer,integer)",
        "notify.next_delivery_due()",
        "notify.restart_failed(integer,bigint)",
        "notify.notification_id_span(bigint,bigint,bigint,boolean)",
        // Issue 32: the floor leaves out what cannot be claimed within the hour (a far schedule, a deactivated
        // enterprise's held deliveries); reactivating an enterprise lowers it.
        "notify.raise_delivery_floor(integer)",
        "notify.notify_enterprise_state_changed()",
    ];

    private const string Definitions =
        """
        SELECT p.oid::regprocedure::text AS signature,
               pg_get_functiondef(p.oid)
               || E'\n-- owner ' || p.proowner::regrole::text
               || E'\n-- execute ' || coalesce((
                   SELECT string_agg(CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, ',' ORDER BY 1)
                   FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                   WHERE a.privilege_type = 'EXECUTE'), '')
               || E'\n-- comment ' || coalesce(obj_description(p.oid, 'pg_proc'), '') AS definition
        FROM pg_proc p
        WHERE p.pronamespace IN ('notify'::regnamespace, 'public'::regnamespace, 'original_compat'::regnamespace)
        """;

    [Fact]
    public async Task Function_files_reproduce_the_numbered_scripts_functions_and_cover_every_function()
    {
        var numbered = await MigrateScratchDatabaseAsync("numbered", applyFunctionFiles: false);
        var withFiles = await MigrateScratchDatabaseAsync("files", applyFunctionFiles: true);
        try
        {
            var before = await ReadDefinitionsAsync(numbered);
            var after = await ReadDefinitionsAsync(withFiles);

            Assert.Equal(before.Keys.Order(), after.Keys.Order());
            foreach (var (signature, definition) in before)
            {
                if (!ChangedSinceNumberedScripts.Contains(signature))
                {
                    Assert.True(definition == after[signature], $"{signature} differs from the numbered scripts' definition:\n{after[signature]}");
                }
            }

            var files = DatabaseMigrator.FunctionFileNames()
                .Select(n => n.Split('.')[^2])
                .ToHashSet();
            var functions = after.Keys.Select(s => s.Split('(')[0].Split('.')[^1]).ToHashSet();
            Assert.Equal(functions.Order(), files.Order());

            // Every run applies the files again: a second run must leave each definition as it is.
            await new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance)
                .MigrateAsync(withFiles, new Dictionary<string, string>(), CancellationToken.None);
            Assert.Equal(after, await ReadDefinitionsAsync(withFiles));
        }
        finally
        {
            await DropDatabaseAsync(numbered);
            await DropDatabaseAsync(withFiles);
        }
    }

    private async Task<string> MigrateScratchDatabaseAsync(string label, bool applyFunctionFiles)
    {
        var builder = new NpgsqlConnectionStringBuilder(await fixture.ConnectionStringAsync("xnovu"))
        {
            Database = $"xnovu_fn_{label}_{Guid.NewGuid():N}"[..30],
            Pooling = false,
        };
        // No passwords: the roles are the cluster's, shared with the running services, and keep theirs.
        await new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance)
            .MigrateAsync(builder.ConnectionString, new Dictionary<string, string>(), CancellationToken.None, applyFunctionFiles);
        return builder.ConnectionString;
    }

    private static async Task<Dictionary<string, string>> ReadDefinitionsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Definitions, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var definitions = new Dictionary<string, string>();
        while (await reader.ReadAsync())
        {
            definitions.Add(reader.GetString(0), reader.GetString(1));
        }

        return definitions;
    }

    private async Task DropDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
