using Dapper;
using Npgsql;
using XNovu.Tests.Migrations;
using static XNovu.Tests.Migrations.ScratchSql;

namespace XNovu.Tests.Dispatch;

/// <summary>
/// Issue 32: the claim, its completion and <c>next_delivery_due</c> name only the days where an open delivery can be,
/// from the claim's floor (<c>notify.delivery_floor</c>) to an hour ahead. On a database with past days of history
/// (as the history benchmark loads it), while another session holds the older days exclusively (as retention
/// detaching a day would), a claim and its completion still finish, and lock no older day; a failed delivery of an
/// older day restarted by an operator is claimed at once (the restart lowers the floor); and a raise of the floor
/// never goes above a delivery that is still open, even one whose notification says it is finished.
/// </summary>
public sealed class ClaimFloorTests(ScratchPostgres postgres) : IClassFixture<ScratchPostgres>
{
    private const string Worker = "floor-test";
    private static readonly Guid Enterprise = Guid.Parse("00000000-0000-0000-0000-0000000032f1");
    private static readonly DateTime Today = DateTime.UtcNow.Date;

    [Fact]
    public async Task The_claim_locks_no_day_below_its_floor_and_a_restart_lowers_the_floor_to_the_day_it_reopens()
    {
        var connectionString = await HistoryAsync("claim_floor");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var failed = await InsertAsync(connection, Today.AddDays(-5).AddHours(10), "FAILED", "FAILED");
        var sent = await InsertAsync(connection, Today.AddDays(-3).AddHours(10), "SENT", "SENT");
        await connection.ExecuteAsync(
            $"""
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients, transaction_id)
            VALUES ('{Enterprise}', 'default-sms', jsonb_build_object('body', 'today'), '["floor-today"]', 'floor-today');
            """);
        var today = await connection.ExecuteScalarAsync<long>(
            "SELECT d.id FROM notify.ent_notification_delivery d JOIN notify.ent_notification n ON n.id = d.notification_id WHERE n.transaction_id = 'floor-today'");

        // Raised above every finished day; a second raise within its interval leaves it to the first.
        var floor = await connection.ExecuteScalarAsync<long>("SELECT notify.raise_delivery_floor(0)");
        Assert.True(floor > sent, $"the floor {floor} stayed at or below a finished day's delivery {sent}");
        Assert.True(floor <= today, $"the floor {floor} went above today's open delivery {today}");
        Assert.Null(await connection.ExecuteScalarAsync<long?>("SELECT notify.raise_delivery_floor(3600)"));

        // The older days held exclusively: the claim, its completion and the next due time still answer, and lock
        // no day older than yesterday.
        await using (var holder = await HoldAsync(connectionString, -5, -3))
        {
            await using var claimer = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c lock_timeout=3000" }.ConnectionString);
            await claimer.OpenAsync();
            await using var transaction = await claimer.BeginTransactionAsync();
            var claimed = (await claimer.QueryAsync<long>($"SELECT delivery_id FROM notify.claim_deliveries('{Worker}', 50, 60, 3)")).ToList();
            Assert.Equal([today], claimed);
            Assert.Equal(1, await claimer.ExecuteScalarAsync<int>(
                $"SELECT notify.complete_deliveries('{Worker}', '[{{\"id\": {today}, \"outcome\": \"sent\"}}]'::jsonb)"));
            await claimer.ExecuteScalarAsync("SELECT notify.next_delivery_due()");
            var locked = (await claimer.QueryAsync<string>(
                """
                SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND c.relname ~ '_p\d{8}$'
                """)).ToList();
            var older = locked.Where(n => string.CompareOrdinal(n[^8..], Today.AddDays(-1).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)) < 0).ToList();
            Assert.True(older.Count == 0, $"locked days below the floor: {string.Join(", ", older)}");
            await transaction.RollbackAsync();
        }

        // An operator restarts the older day's failed notification: the floor comes down to its delivery, and the
        // next claim takes it (with today's, still due after the rollback).
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>($"SELECT deliveries FROM notify.restart_failed(1, {failed})"));
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT open_from FROM notify.delivery_floor") <= failed);
        var retried = (await connection.QueryAsync<long>($"SELECT delivery_id FROM notify.claim_deliveries('{Worker}', 50, 60, 3) ORDER BY 1")).ToList();
        Assert.Equal([failed, today], retried);

        // While it is open, a raise leaves the floor at its day; once both are sent, the floor rises past it again.
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT notify.raise_delivery_floor(0)") <= failed);
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>(
            $"SELECT notify.complete_deliveries('{Worker}', '[{{\"id\": {failed}, \"outcome\": \"sent\"}}, {{\"id\": {today}, \"outcome\": \"sent\"}}]'::jsonb)"));
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT notify.raise_delivery_floor(0)") > sent);
    }

    [Fact]
    public async Task A_raise_finds_an_open_delivery_below_the_floor_even_when_its_notification_says_finished()
    {
        var connectionString = await HistoryAsync("claim_floor_heal");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // A delivery left PENDING on an older day under a notification already SENT (whatever made it so), and the floor
        // set above everything.
        var straggler = await InsertAsync(connection, Today.AddDays(-4).AddHours(3), "SENT", "PENDING");
        await connection.ExecuteAsync("UPDATE notify.delivery_floor SET open_from = notify.history_id_floor(now() + interval '1 hour')");
        Assert.Empty(await connection.QueryAsync<long>($"SELECT delivery_id FROM notify.claim_deliveries('{Worker}', 50, 60, 3)"));

        Assert.Equal(straggler, await connection.ExecuteScalarAsync<long>("SELECT notify.raise_delivery_floor(0)"));
        Assert.Equal([straggler], await connection.QueryAsync<long>($"SELECT delivery_id FROM notify.claim_deliveries('{Worker}', 50, 60, 3)"));
    }

    /// <summary>
    /// A fresh installation given six past days, as the history benchmark loads its history: its empty partitions before
    /// the partitioning dropped, the cutover moved back six days, the days from then to three days ahead made.
    /// </summary>
    private async Task<string> HistoryAsync(string database)
    {
        var connectionString = postgres.ConnectionString(database);
        await Migrator(null).MigrateAsync(connectionString, NoPasswords, CancellationToken.None);
        await ExecuteAsync(connectionString,
            $"""
            INSERT INTO notify.enterprise (id, name) VALUES ('{Enterprise}', 'floor');
            DO $$
            BEGIN
                DROP TABLE notify.ent_delivery_event_legacy, notify.ent_notification_delivery_legacy, notify.ent_notification_legacy;
                UPDATE notify.history_settings SET cutover = notify.history_id_floor(((now() AT TIME ZONE 'UTC')::date - 6)::timestamp AT TIME ZONE 'UTC');
                PERFORM notify.ensure_history_partitions((now() AT TIME ZONE 'UTC')::date + 3, '', (now() AT TIME ZONE 'UTC')::date - 6);
            END
            $$;
            """);
        return connectionString;
    }

    /// <summary>One notification made at <paramref name="at"/> with one delivery, written as the history loader writes them; the delivery's id.</summary>
    private static async Task<long> InsertAsync(NpgsqlConnection connection, DateTime at, string notificationStatus, string deliveryStatus)
    {
        var id = await connection.ExecuteScalarAsync<long>("SELECT notify.history_id_floor(@at) | 7", new { at = new DateTimeOffset(at, TimeSpan.Zero) });
        await connection.ExecuteAsync(
            $"""
            SET session_replication_role = replica;
            INSERT INTO notify.ent_notification (id, enterprise_id, workflow_key, notification_status, payload, recipients, transaction_id, created_at, updated_at)
            VALUES ({id}, '{Enterprise}', 'default-sms', '{notificationStatus}', jsonb_build_object('body', 'old'), '["floor-old"]', 'floor-{id}', @at, @at);
            INSERT INTO notify.ent_notification_delivery (id, enterprise_id, notification_id, ordinal, subscriber_id, recipient, status, transaction_id, attempts, next_attempt_at, created_at, updated_at)
            VALUES ({id}, '{Enterprise}', {id}, 1, 'floor-old', jsonb_build_object('subscriberId', 'floor-old'), '{deliveryStatus}', 'floor-{id}', 1, @at, @at, @at);
            SET session_replication_role = origin;
            """, new { at = new DateTimeOffset(at, TimeSpan.Zero) });
        return id;
    }

    /// <summary>Another session holding the given days' notifications and deliveries exclusively until disposed.</summary>
    private static async Task<NpgsqlConnection> HoldAsync(string connectionString, params int[] days)
    {
        var holder = new NpgsqlConnection(connectionString);
        await holder.OpenAsync();
        var tables = string.Join(", ", days.SelectMany(d => new[] { "ent_notification", "ent_notification_delivery" }
            .Select(t => $"notify.{t}_p{Today.AddDays(d):yyyyMMdd}")));
        await holder.ExecuteAsync($"BEGIN; LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE");
        return holder;
    }
}
