using Npgsql;
using XNovu.Core.Persistence;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Tenancy;

/// <summary>
/// Every table that holds an enterprise's rows, as the catalogue lists them (the <c>enterprise</c> table and every
/// table with an <c>enterprise_id</c> column, or <c>owner_enterprise</c> for work that outlives the enterprise), is
/// under forced row-level security, so a new one without it fails.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class RowLevelSecurityTests(XNovuAppFixture fixture)
{
    /// <summary>Tables that must be among the catalogue's: a guard against a query that finds nothing.</summary>
    private static readonly string[] KnownTenantTables =
    [
        "enterprise", "enterprise_api_key", "typ_notification_category", "typ_notification_priority",
        "ent_notification_template", "ent_notification_workflow", "ent_notification_rule", "ent_notification",
        "ent_notification_delivery", "subscriber", "topic", "topic_subscriber", "enterprise_novu", "idempotency_key",
        "rule_tick", "rule_state", "enterprise_rate_limit", "novu_workflow_sync", "novu_removal",
    ];

    private sealed record TableSecurity(string Name, string EnterpriseColumn, bool RowSecurity, bool Forced, bool HasPolicy);

    [Fact]
    public async Task Every_table_with_enterprise_rows_and_only_those_have_forced_row_level_security_and_a_policy()
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        var tables = await TablesAsync(connection);
        var tenantTables = tables.Where(t => t.EnterpriseColumn.Length > 0).ToList();

        Assert.Superset(KnownTenantTables.ToHashSet(), tenantTables.Select(t => t.Name).ToHashSet());
        Assert.All(tenantTables, t => Assert.True(t.RowSecurity && t.Forced && t.HasPolicy, $"notify.{t.Name}: {t}"));
        // The other way round: row-level security on a table without enterprise rows would hide a mistake in this list.
        Assert.Equal(
            tenantTables.Select(t => t.Name).Order(StringComparer.Ordinal),
            tables.Where(t => t.RowSecurity).Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Service_role_without_an_enterprise_sees_no_rows_and_cannot_insert()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        List<TableSecurity> tenantTables;
        await using (var owner = await fixture.OpenOwnerConnectionAsync())
        {
            tenantTables = (await TablesAsync(owner)).Where(t => t.EnterpriseColumn.Length > 0).ToList();
        }

        // The API's role: the one granted most tenant tables; those it may not read at all are safe anyway.
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu-api"));
        await connection.OpenAsync();
        var read = 0;
        foreach (var table in tenantTables)
        {
            await using var granted = new NpgsqlCommand("SELECT has_table_privilege(@table, 'SELECT')", connection);
            granted.Parameters.AddWithValue("table", $"notify.{table.Name}");
            if (!(bool)(await granted.ExecuteScalarAsync())!)
            {
                continue;
            }

            // Rows of no enterprise (a static workflow's Novu sync) are everyone's; an enterprise's rows are no one's here.
            await using var count = new NpgsqlCommand(
                $"SELECT count(*) FROM notify.{table.Name} WHERE {table.EnterpriseColumn} IS NOT NULL", connection);
            Assert.True(0L == (long)(await count.ExecuteScalarAsync())!, $"notify.{table.Name} shows rows without an enterprise");
            read++;
        }

        Assert.True(read >= KnownTenantTables.Length / 2, $"the API's role read only {read} tenant tables");

        await using var insert = new NpgsqlCommand(
            "INSERT INTO notify.typ_notification_category (enterprise_id, code, name) VALUES (@id, 'x', 'x')", connection);
        insert.Parameters.AddWithValue("id", enterprise.Id);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState); // new row violates row-level security policy
    }

    [Fact]
    public async Task Service_role_scoped_to_one_enterprise_cannot_write_another_enterprises_rows()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu-app"));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var scope = new NpgsqlCommand("SELECT set_config('app.current_enterprise_id', @id, true)", connection, transaction);
        scope.Parameters.AddWithValue("id", a.Id.ToString());
        await scope.ExecuteNonQueryAsync();

        await using var visible = new NpgsqlCommand("SELECT count(*) FROM notify.enterprise", connection, transaction);
        Assert.Equal(1L, (long)(await visible.ExecuteScalarAsync())!);

        await using var insert = new NpgsqlCommand(
            "INSERT INTO notify.typ_notification_category (enterprise_id, code, name) VALUES (@id, 'x', 'x')", connection, transaction);
        insert.Parameters.AddWithValue("id", b.Id);
        await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task A_pooled_connection_returned_without_a_session_reset_carries_no_enterprise_to_its_next_user()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var connectionString = new NpgsqlConnectionStringBuilder(await fixture.ConnectionStringAsync("xnovu-api")) { MaxPoolSize = 1 };
        XNovuDatabase.ApplyPoolSettings(connectionString);
        await using var dataSource = NpgsqlDataSource.Create(connectionString.ConnectionString);
        var database = new XNovuDatabase(dataSource);

        int firstBackend;
        await using (var session = await database.BeginTenantAsync(a.Id, CancellationToken.None))
        {
            firstBackend = session.Connection.ProcessID;
            await using var visible = new NpgsqlCommand("SELECT count(*) FROM notify.enterprise", session.Connection, session.Transaction);
            Assert.Equal(1L, (long)(await visible.ExecuteScalarAsync())!);
            await session.CommitAsync(CancellationToken.None);
        }

        // The same server session (a pool of one), used next without naming an enterprise. A session-level setting
        // made before survives (so no reset ran), and the transaction-local enterprise does not.
        await using (var mark = await dataSource.OpenConnectionAsync())
        {
            await using var set = new NpgsqlCommand("SELECT set_config('xnovu.test_probe', 'kept', false)", mark);
            await set.ExecuteNonQueryAsync();
        }

        await using var next = await dataSource.OpenConnectionAsync();
        Assert.Equal(firstBackend, next.ProcessID);
        await using var probe = new NpgsqlCommand("SELECT current_setting('xnovu.test_probe', true)", next);
        Assert.Equal("kept", (string)(await probe.ExecuteScalarAsync())!);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM notify.enterprise", next);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
        await using var setting = new NpgsqlCommand("SELECT coalesce(current_setting('app.current_enterprise_id', true), '')", next);
        Assert.Equal("", (string)(await setting.ExecuteScalarAsync())!);
    }

    /// <summary>Every table of <c>notify</c>: the column naming its enterprise (empty when none) and its row-level security.</summary>
    private static async Task<List<TableSecurity>> TablesAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT c.relname,
                   CASE WHEN c.relname = 'enterprise' THEN 'id'
                        ELSE coalesce((SELECT min(a.attname) FROM pg_attribute a
                                       WHERE a.attrelid = c.oid AND a.attname IN ('enterprise_id', 'owner_enterprise') AND NOT a.attisdropped), '')
                        END,
                   c.relrowsecurity, c.relforcerowsecurity,
                   EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'notify' AND c.relkind IN ('r', 'p')
            ORDER BY c.relname
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<TableSecurity>();
        while (await reader.ReadAsync())
        {
            tables.Add(new TableSecurity(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4)));
        }

        return tables;
    }

    [Theory]
    [InlineData("xnovu-app")]
    [InlineData("xnovu-api")]
    [InlineData("xnovu-dispatcher")]
    public async Task Service_role_is_neither_owner_nor_superuser_nor_bypasses_rls(string login)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(login));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT r.rolsuper OR r.rolbypassrls
                   OR EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'notify' AND t.tableowner = current_user)
            FROM pg_roles r WHERE r.rolname = current_user
            """,
            connection);

        Assert.False((bool)(await command.ExecuteScalarAsync())!);
    }
}
