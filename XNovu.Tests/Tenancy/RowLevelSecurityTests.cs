using Npgsql;
using XNovu.Core.Persistence;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Tenancy;

[Collection(AppCollection.Name)]
public sealed class RowLevelSecurityTests(XNovuAppFixture fixture)
{
    private static readonly string[] TenantTables =
    [
        "enterprise", "enterprise_api_key", "typ_notification_category", "typ_notification_priority",
        "ent_notification_template", "ent_notification_workflow", "ent_notification_rule", "ent_notification",
    ];

    [Fact]
    public async Task Service_role_without_an_enterprise_sees_no_rows_and_cannot_insert()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        // The API's role: the one granted every tenant table.
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu-api"));
        await connection.OpenAsync();

        foreach (var table in TenantTables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM notify.{table}", connection);
            Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
        }

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
