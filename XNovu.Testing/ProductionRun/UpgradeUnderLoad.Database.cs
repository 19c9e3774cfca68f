using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace XNovu.Testing.ProductionRun;

/// <summary>The upgrade run's own reads and writes of the database: the history it loads, what it checks after.</summary>
public static partial class UpgradeUnderLoad
{
    /// <summary>
    /// A history of delivered notifications, each with its one delivery, written as a bulk load writes it: in id
    /// order, with triggers off (the rows are consistent by construction, so neither the deliveries trigger nor the
    /// foreign key checks are needed), spread over the last days so that retention keeps them.
    /// </summary>
    private static async Task LoadHistoryAsync(string owner, UpgradeRunOptions options, Action<string> log, CancellationToken token)
    {
        const int Chunk = 250_000;
        var n = options.Notifications;
        var spacing = Math.Min(0.5, 30 * 86_400.0 / Math.Max(n, 1)).ToString(CultureInfo.InvariantCulture);
        const string Enterprise = "('00000000-0000-4000-8000-' || lpad(to_hex(1 + i % @enterprises), 12, '0'))::uuid";
        await ExecuteAsync(owner,
            "INSERT INTO notify.enterprise (id, name) SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(e), 12, '0'))::uuid, 'history ' || e FROM generate_series(1, @enterprises) e",
            token, ("enterprises", options.HistoryEnterprises));
        var clock = Stopwatch.StartNew();
        for (var from = 1; from <= n; from += Chunk)
        {
            var to = Math.Min(n, from + Chunk - 1);
            await ExecuteAsync(owner,
                $"""
                SET session_replication_role = replica;
                INSERT INTO notify.ent_notification (id, enterprise_id, workflow_key, notification_status, payload, recipients,
                                                     transaction_id, processed_at, created_at, updated_at)
                OVERRIDING SYSTEM VALUE
                SELECT i, {Enterprise}, 'default-sms', 'SENT', jsonb_build_object('body', 'History ' || i),
                       jsonb_build_array('history-' || (i % 100000)), 'history-' || i, t, t, t
                FROM generate_series(@from, @to) AS i, LATERAL (SELECT now() - make_interval(secs => (@n - i) * {spacing}) AS t) x;
                INSERT INTO notify.ent_notification_delivery (enterprise_id, notification_id, ordinal, subscriber_id, recipient, status,
                                                              transaction_id, attempts, next_attempt_at, novu_status, sent_at, created_at, updated_at)
                SELECT {Enterprise}, i, 1, 'history-' || (i % 100000), jsonb_build_object('subscriberId', 'history-' || (i % 100000)),
                       'SENT', 'history-' || i, 1, t, 'processed', t, t, t
                FROM generate_series(@from, @to) AS i, LATERAL (SELECT now() - make_interval(secs => (@n - i) * {spacing}) AS t) x;
                """,
                token, ("from", from), ("to", to), ("n", n), ("enterprises", options.HistoryEnterprises));
            log($"  {to:N0} of {n:N0} notifications and deliveries ({to / clock.Elapsed.TotalSeconds:N0}/s)");
        }

        await ExecuteAsync(owner, "SELECT setval(pg_get_serial_sequence('notify.ent_notification', 'id'), greatest(@n, 1))", token, ("n", n));
    }

    /// <summary>Waits until every accepted trigger is SENT (or the drain times out); answers how many are stored and how many SENT.</summary>
    private static async Task<(int Stored, int Delivered)> WaitDeliveredAsync(
        string owner, Guid enterprise, string prefix, HashSet<string> accepted, TimeSpan drainTimeout, CancellationToken token)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var stored = 0;
            var delivered = 0;
            await using (var connection = new NpgsqlConnection(owner))
            {
                await connection.OpenAsync(token);
                await using var select = new NpgsqlCommand(
                    "SELECT transaction_id, notification_status::text FROM notify.ent_notification WHERE enterprise_id = @e AND transaction_id LIKE @p",
                    connection);
                select.Parameters.AddWithValue("e", enterprise);
                select.Parameters.AddWithValue("p", prefix + "%");
                await using var reader = await select.ExecuteReaderAsync(token);
                while (await reader.ReadAsync(token))
                {
                    if (accepted.Contains(reader.GetString(0)))
                    {
                        stored++;
                        delivered += reader.GetString(1) == "SENT" ? 1 : 0;
                    }
                }
            }

            if (delivered == accepted.Count || deadline.Elapsed > drainTimeout)
            {
                return (stored, delivered);
            }

            await Task.Delay(500, token);
        }
    }

    private const string SubscriberLookup =
        """
        SELECT count(*) FROM notify.ent_notification_delivery
        WHERE enterprise_id = '00000000-0000-4000-8000-000000000002' AND subscriber_id = 'history-1'
        """;

    /// <summary>A subscriber's deliveries in one enterprise, as its export and erasure find them: the second of two runs, in ms.</summary>
    private static async Task<double> SubscriberLookupAsync(string owner, CancellationToken token)
    {
        await ExecuteAsync(owner, SubscriberLookup, token);
        var clock = Stopwatch.StartNew();
        await ExecuteAsync(owner, SubscriberLookup, token);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task<string> SubscriberLookupPlanAsync(string owner, CancellationToken token)
    {
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync(token);
        await using var explain = new NpgsqlCommand("EXPLAIN " + SubscriberLookup, connection);
        await using var reader = await explain.ExecuteReaderAsync(token);
        var lines = new List<string>();
        while (await reader.ReadAsync(token))
        {
            lines.Add(reader.GetString(0).Trim());
        }

        return string.Join(" / ", lines);
    }

    private static async Task<List<string>> AppliedScriptsAsync(string owner, CancellationToken token)
    {
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync(token);
        await using var select = new NpgsqlCommand("SELECT scriptname FROM public.xnovu_schema_versions ORDER BY schemaversionsid", connection);
        await using var reader = await select.ExecuteReaderAsync(token);
        var names = new List<string>();
        while (await reader.ReadAsync(token))
        {
            var name = reader.GetString(0);
            names.Add(name[(name.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..^".sql".Length]);
        }

        return names;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken token, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(token);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(token);
    }
}
