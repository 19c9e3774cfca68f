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
/// older day restarted by an operator is claimed at once (the restart lowers the floor); a raise of the floor never
/// goes above a delivery that may be claimed within the hour, even one whose notification says it is finished; and
/// what no claim may take within the hour (one tenant's far schedule, a deactivated tenant's held deliveries) does not
/// hold the floor down for the other tenants, yet is claimed when it comes due or the tenant is reactivated; a floor
/// not raised within its hour is not used.
/// </summary>
public sealed class ClaimFloorTests(ScratchPostgres postgres) : IClassFixture<ScratchPostgres>
{
    private const string Worker = "floor-test";
    private static readonly Guid Enterprise = Guid.Parse("00000000-0000-0000-0000-0000000032f1");
    private static readonly Guid Scheduler = Guid.Parse("00000000-0000-0000-0000-0000000032f2");
    private static readonly Guid Held = Guid.Parse("00000000-0000-0000-0000-0000000032f3");
    private static readonly DateTime Today = DateTime.UtcNow.Date;

    [Fact]
    public async Task The_claim_locks_no_day_below_its_floor_and_a_restart_lowers_the_floor_to_the_day_it_reopens()
    {
        var connectionString = await HistoryAsync("claim_floor");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var failed = await InsertAsync(connection, Today.AddDays(-5).AddHours(10), "FAILED", "FAILED");
        var sent = await InsertAsync(connection, Today.AddDays(-3).AddHours(10), "SENT", "SENT");
        var today = await InsertTodayAsync(connection, "floor-today");

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

        // The raise comes down to the straggler's day (its first id), no lower.
        var floor = await connection.ExecuteScalarAsync<long>("SELECT notify.raise_delivery_floor(0)");
        Assert.Equal(await connection.ExecuteScalarAsync<long>($"SELECT notify.history_id_floor('{Today.AddDays(-4):yyyy-MM-dd}'::date::timestamp AT TIME ZONE 'UTC')"), floor);
        Assert.Equal([straggler], await connection.QueryAsync<long>($"SELECT delivery_id FROM notify.claim_deliveries('{Worker}', 50, 60, 3)"));
    }

    [Fact]
    public async Task A_far_schedule_and_a_deactivated_tenant_s_held_deliveries_do_not_hold_the_floor_down_and_are_claimed_when_they_can_be()
    {
        var connectionString = await HistoryAsync("claim_floor_parked");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync($"INSERT INTO notify.enterprise (id, name, deactivated) VALUES ('{Scheduler}', 'scheduler', false), ('{Held}', 'held', true)");
        // One tenant's notification of five days ago scheduled a month ahead; a deactivated tenant's delivery of four
        // days ago, due long since; another tenant's delivery today, due now.
        var scheduled = await InsertAsync(connection, Today.AddDays(-5).AddHours(9), "PENDING", "PENDING", Scheduler, DateTimeOffset.UtcNow.AddDays(30));
        var held = await InsertAsync(connection, Today.AddDays(-4).AddHours(9), "PENDING", "PENDING", Held);
        var today = await InsertTodayAsync(connection, "floor-parked-today");

        // Neither holds the floor: it rises above both days, and the claim, while another session holds those days
        // exclusively, answers with today's delivery alone. (With every open delivery counted, the floor stayed at
        // the scheduled day and the claim waited for the held days until its lock timeout.)
        var floor = await connection.ExecuteScalarAsync<long>("SELECT notify.raise_delivery_floor(0)");
        Assert.True(floor > held && floor > scheduled, $"the floor {floor} stayed at or below the day of a delivery no claim may take within the hour");
        Assert.True(floor <= today, $"the floor {floor} went above today's open delivery {today}");
        await using (var holder = await HoldAsync(connectionString, -5, -4))
        {
            await using var claimer = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c lock_timeout=3000" }.ConnectionString);
            await claimer.OpenAsync();
            Assert.Equal([today], await claimer.QueryAsync<long>($"SELECT delivery_id FROM notify.claim_deliveries('{Worker}', 50, 60, 3)"));
        }

        // The schedule's last hour: the next raise counts it, and once due the claim takes it without another raise.
        await connection.ExecuteAsync($"UPDATE notify.ent_notification_delivery SET next_attempt_at = now() + interval '30 minutes' WHERE id = {scheduled}");
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT notify.raise_delivery_floor(0)") <= scheduled);
        await connection.ExecuteAsync($"UPDATE notify.ent_notification_delivery SET next_attempt_at = now() - interval '1 second' WHERE id = {scheduled}");
        Assert.Equal([scheduled], await connection.QueryAsync<long>($"SELECT delivery_id FROM notify.claim_deliveries('{Worker}', 50, 60, 3)"));

        // Reactivated: the floor goes to the bottom in the same transaction, and the next claim takes the held delivery.
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            $"SELECT notify.complete_deliveries('{Worker}', '[{{\"id\": {scheduled}, \"outcome\": \"sent\"}}]'::jsonb)"));
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT notify.raise_delivery_floor(0)") > held);
        await connection.ExecuteAsync($"UPDATE notify.enterprise SET deactivated = false WHERE id = '{Held}'");
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT open_from FROM notify.delivery_floor") <= held);
        Assert.Equal([held], await connection.QueryAsync<long>($"SELECT delivery_id FROM notify.claim_deliveries('{Worker}', 50, 60, 3)"));
    }

    [Fact]
    public async Task A_floor_not_raised_within_its_hour_is_not_used()
    {
        var connectionString = await HistoryAsync("claim_floor_stale");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // Raised when this delivery was due in two hours (left out), and no raise since, for over an hour: it is due now.
        var late = await InsertAsync(connection, Today.AddDays(-3).AddHours(9), "PENDING", "PENDING", dueAt: DateTimeOffset.UtcNow.AddSeconds(-1));
        await connection.ExecuteAsync(
            "UPDATE notify.delivery_floor SET open_from = notify.history_id_floor(now() - interval '1 hour'), counts_due_before = now() - interval '1 second'");

        Assert.Equal([late], await connection.QueryAsync<long>($"SELECT delivery_id FROM notify.claim_deliveries('{Worker}', 50, 60, 3)"));
        await connection.ExecuteAsync("UPDATE notify.delivery_floor SET counts_due_before = now() + interval '1 hour'");
        await connection.ExecuteAsync($"UPDATE notify.ent_notification_delivery SET status = 'PENDING', next_attempt_at = now() - interval '1 second' WHERE id = {late}");
        Assert.Empty(await connection.QueryAsync<long>($"SELECT delivery_id FROM notify.claim_deliveries('{Worker}', 50, 60, 3)"));
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
    /// <paramref name="dueAt"/>: the delivery's next attempt (default <paramref name="at"/>); <paramref name="enterprise"/>: whose (default the test's).
    private static async Task<long> InsertAsync(
        NpgsqlConnection connection, DateTime at, string notificationStatus, string deliveryStatus, Guid? enterprise = null, DateTimeOffset? dueAt = null)
    {
        var owner = enterprise ?? Enterprise;
        var id = await connection.ExecuteScalarAsync<long>("SELECT notify.history_id_floor(@at) | 7", new { at = new DateTimeOffset(at, TimeSpan.Zero) });
        await connection.ExecuteAsync(
            $"""
            SET session_replication_role = replica;
            INSERT INTO notify.ent_notification (id, enterprise_id, workflow_key, notification_status, payload, recipients, transaction_id, created_at, updated_at)
            VALUES ({id}, '{owner}', 'default-sms', '{notificationStatus}', jsonb_build_object('body', 'old'), '["floor-old"]', 'floor-{id}', @at, @at);
            INSERT INTO notify.ent_notification_delivery (id, enterprise_id, notification_id, ordinal, subscriber_id, recipient, status, transaction_id, attempts, next_attempt_at, created_at, updated_at)
            VALUES ({id}, '{owner}', {id}, 1, 'floor-old', jsonb_build_object('subscriberId', 'floor-old'), '{deliveryStatus}', 'floor-{id}', 1, @due, @at, @at);
            SET session_replication_role = origin;
            """, new { at = new DateTimeOffset(at, TimeSpan.Zero), due = dueAt ?? new DateTimeOffset(at, TimeSpan.Zero) });
        return id;
    }

    /// <summary>A notification made now by the service's own defaults (today's partition, its delivery due now); its delivery's id.</summary>
    private static async Task<long> InsertTodayAsync(NpgsqlConnection connection, string transactionId)
    {
        await connection.ExecuteAsync(
            $"""
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients, transaction_id)
            VALUES ('{Enterprise}', 'default-sms', jsonb_build_object('body', 'today'), '["floor-today"]', '{transactionId}');
            """);
        return await connection.ExecuteScalarAsync<long>(
            $"SELECT d.id FROM notify.ent_notification_delivery d JOIN notify.ent_notification n ON n.id = d.notification_id WHERE n.transaction_id = '{transactionId}'");
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
