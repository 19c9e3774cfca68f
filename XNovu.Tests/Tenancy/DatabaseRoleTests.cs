using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Tenancy;

/// <summary>
/// Each service logs in as its own role and the database refuses it what the other service does; the schema
/// and its SECURITY DEFINER functions belong to a role that is no superuser.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class DatabaseRoleTests(XNovuAppFixture fixture)
{
    private const string PermissionDenied = "42501";

    [Theory]
    [InlineData("SELECT count(*) FROM notify.claim_deliveries('intruder', 1, 30)")]
    [InlineData("SELECT notify.complete_deliveries('intruder', '[]'::jsonb)")]
    [InlineData("SELECT notify.next_delivery_due()")]
    [InlineData("SELECT count(*) FROM notify.schedulable_rules()")]
    [InlineData("SELECT notify.purge_notifications(0, 1)")]
    public async Task The_api_cannot_claim_complete_or_schedule_deliveries(string sql)
    {
        await AssertRefusedAsync("xnovu-api", sql);
    }

    [Theory]
    [InlineData("SELECT count(*) FROM notify.list_enterprises()")]
    [InlineData("SELECT count(*) FROM notify.find_api_key('xnk_anything')")]
    [InlineData("SELECT notify.retry_failed_notifications(1)")]
    [InlineData("INSERT INTO notify.enterprise (id, name) VALUES (gen_random_uuid(), 'intruder')")]
    [InlineData("UPDATE notify.enterprise SET name = 'intruder'")]
    [InlineData("SELECT count(*) FROM notify.enterprise_api_key")]
    [InlineData("DELETE FROM notify.enterprise_api_key")]
    public async Task The_dispatcher_cannot_manage_enterprises_or_keys(string sql)
    {
        await AssertRefusedAsync("xnovu-dispatcher", sql);
    }

    [Theory]
    [InlineData("xnovu_api", "notify.find_api_key(text)")]
    [InlineData("xnovu_api", "notify.list_enterprises()")]
    [InlineData("xnovu_dispatcher", "notify.claim_deliveries(text, integer, integer)")]
    [InlineData("xnovu_dispatcher", "notify.complete_deliveries(text, jsonb)")]
    [InlineData("xnovu_dispatcher", "notify.fire_rule_tick(bigint, timestamptz, timestamptz)")]
    public async Task Each_service_keeps_the_functions_it_calls(string role, string function)
    {
        await using var connection = await OpenAsync("xnovu");
        await using var command = new NpgsqlCommand("SELECT has_function_privilege(@role, @function, 'EXECUTE')", connection);
        command.Parameters.AddWithValue("role", role);
        command.Parameters.AddWithValue("function", function);

        Assert.True((bool)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task The_schema_and_every_security_definer_function_belong_to_a_role_that_is_no_superuser()
    {
        await using var connection = await OpenAsync("xnovu");
        await using var command = new NpgsqlCommand(
            """
            SELECT r.rolname, r.rolsuper, count(*)
            FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
            WHERE p.pronamespace = 'notify'::regnamespace AND p.prosecdef
            GROUP BY r.rolname, r.rolsuper
            UNION ALL
            SELECT r.rolname, r.rolsuper, 1
            FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
            WHERE n.nspname = 'notify'
            """,
            connection);
        var owners = new List<(string Role, bool Super, long Count)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                owners.Add((reader.GetString(0), reader.GetBoolean(1), reader.GetInt64(2)));
            }
        }

        Assert.Equal(2, owners.Count);
        Assert.All(owners, owner => Assert.Equal(("xnovu_owner", false), (owner.Role, owner.Super)));
        Assert.True(owners[0].Count >= 15, $"{owners[0].Count} SECURITY DEFINER functions");
    }

    [Fact]
    public async Task The_services_log_in_as_different_roles()
    {
        await using var api = await OpenAsync("xnovu-api");
        await using var dispatcher = await OpenAsync("xnovu-dispatcher");

        Assert.Equal("xnovu_api", await CurrentUserAsync(api));
        Assert.Equal("xnovu_dispatcher", await CurrentUserAsync(dispatcher));
    }

    /// <summary>
    /// Issue 32: with the history partitioned by day, the claim's generic plan cost passed jit_above_cost, and every
    /// claim spent about 6 s compiling 189 functions with LLVM before running 40 ms of work (0070).
    /// </summary>
    [Theory]
    [InlineData("xnovu-api")]
    [InlineData("xnovu-dispatcher")]
    public async Task The_services_run_without_jit_compilation(string login)
    {
        await using var connection = await OpenAsync(login);
        await using var command = new NpgsqlCommand("SHOW jit", connection);

        Assert.Equal("off", (string?)await command.ExecuteScalarAsync());
    }

    private static async Task<string> CurrentUserAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT current_user", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task AssertRefusedAsync(string login, string sql)
    {
        await using var connection = await OpenAsync(login);
        await using var command = new NpgsqlCommand(sql, connection);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync());

        Assert.Equal(PermissionDenied, refused.SqlState);
    }

    private async Task<NpgsqlConnection> OpenAsync(string resource)
    {
        var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync(resource));
        await connection.OpenAsync();
        return connection;
    }
}
