using System.Text;
using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Dispatch;

/// <summary>
/// The claim starts its notifications (PENDING -> PROCESSING) by looking up their ids in the primary key (0024).
/// Before 0024, the generic plan made on a small table (the test database run on its own, or a service's first
/// claim after a deploy) scanned the whole status index instead; on a larger table the planner may choose the key
/// anyway, so this test guards the regression only while the test database is small. The plan is read with
/// auto_explain, sent to this session as notices, on a connection of its own (so the claim is planned afresh),
/// inside a transaction that is rolled back: whatever the claim takes goes back to the queue. The claim also reads
/// the due deliveries in its own order (0026), so a group due at the same moment costs it one batch, not the group.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ClaimPlanTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task The_claim_finds_the_notifications_it_starts_by_primary_key_in_the_batchs_days_only()
    {
        // The claim is planned on the test database as it is: small, as a dispatcher finds it at its first claim after
        // a deploy. A generic plan made there served "started" with a full scan of the status index before 0024.
        var enterprise = await fixture.CreateEnterpriseAsync();
        var notices = await ClaimPlanNoticesAsync(
            $"""
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients, transaction_id)
            VALUES ('{enterprise.Id}', 'default-sms', jsonb_build_object('body', 'plan'), jsonb_build_array('plan-1'), 'plan-{Guid.NewGuid():N}');
            UPDATE notify.ent_notification_delivery SET next_attempt_at = '2000-01-01T00:00:00Z' WHERE enterprise_id = '{enterprise.Id}';
            """,
            batch: 1,
            analyze: true);

        var claimPlan = Assert.Single(notices, n => n.Contains("CTE started", StringComparison.Ordinal));
        var started = Section(claimPlan, "CTE started");
        // Issue 32: the notifications are partitioned by day. On this small database the planner joins the claimed ids
        // to each partition's primary key (hash join); on partitions of any size, a lookup per id. Never the status.
        Assert.Contains("_pkey on ent_notification_", started, StringComparison.Ordinal);
        Assert.DoesNotContain("idx_notification_enterprise_status", started, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan", started, StringComparison.Ordinal);

        // Issue 32: the batch's id span prunes the other day partitions, for the deliveries it claims and the
        // notifications it starts and reads (a join on id alone probed every day's primary key). The claim plans each
        // call with the span as a constant, so the plan names the batch's day and no other.
        var claimed = Section(claimPlan, "CTE claimed");
        var day = $"_p{DateTime.UtcNow:yyyyMMdd}";
        Assert.Equal([$"ent_notification_delivery{day}"], Partitions(claimed, "ent_notification_delivery"));
        Assert.Equal([$"ent_notification{day}"], Partitions(started, "ent_notification"));
    }

    [Fact]
    public async Task The_claim_reads_deliveries_due_together_in_its_order_and_stops_at_the_batch()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        // 300 deliveries made by one transaction share one next_attempt_at (its now()), as a bulk call's do. Before 0026
        // the claim read all of them and sorted them by id to take its batch of 10.
        var notices = await ClaimPlanNoticesAsync(
            $"""
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients, transaction_id)
            SELECT '{enterprise.Id}', 'default-sms', jsonb_build_object('body', 'plan ' || i), jsonb_build_array('plan-' || i), 'plan-{Guid.NewGuid():N}-' || i
            FROM generate_series(1, 300) AS i;
            -- Due before anything else in the queue, so the claim's batch comes from this group whatever else is due.
            UPDATE notify.ent_notification_delivery SET next_attempt_at = '2000-01-01T00:00:00Z' WHERE enterprise_id = '{enterprise.Id}';
            """,
            batch: 10,
            analyze: true);

        var claimPlan = Assert.Single(notices, n => n.Contains("CTE due", StringComparison.Ordinal));
        var due = Section(claimPlan, "CTE due");
        // Issue 32: each day partition's due index, merged in order (Merge Append), never sorted whole.
        var today = $"ent_notification_delivery_p{DateTime.UtcNow:yyyyMMdd}_next_attempt_at_id_idx";
        Assert.Contains(today, due, StringComparison.Ordinal);
        Assert.DoesNotContain("->  Sort", due, StringComparison.Ordinal);
        // The scan ends at the batch: it reads 10 rows (and any due deliveries a dispatcher holds meanwhile), not 300.
        var scanned = ActualRows(due, today);
        Assert.True(scanned < 100, $"the claim read {scanned} due deliveries for a batch of 10:\n{due}");
    }

    /// <summary>
    /// The notices of one claim of <paramref name="batch"/> run with auto_explain (with actual rows when
    /// <paramref name="analyze"/>) after <paramref name="setUp"/>, on a connection of its own (so the claim is planned
    /// afresh), in a transaction that is rolled back.
    /// </summary>
    private async Task<List<string>> ClaimPlanNoticesAsync(string setUp, int batch, bool analyze)
    {
        var builder = new NpgsqlConnectionStringBuilder(await fixture.ConnectionStringAsync("xnovu")) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        var notices = new List<string>();
        connection.Notice += (_, e) => notices.Add(e.Notice.MessageText);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(
            connection,
            $"""
            {setUp}
            LOAD 'auto_explain';
            SET LOCAL auto_explain.log_min_duration = 0;
            SET LOCAL auto_explain.log_nested_statements = on;
            SET LOCAL auto_explain.log_level = notice;
            SET LOCAL auto_explain.log_analyze = {(analyze ? "on" : "off")};
            SELECT count(*) FROM notify.claim_deliveries('claim-plan-probe', {batch}, 60, 3);
            """);
        await transaction.RollbackAsync();
        return notices;
    }

    /// <summary>The actual rows of the first plan line containing <paramref name="node"/> (auto_explain with analyze).</summary>
    private static int ActualRows(string plan, string node)
    {
        var line = plan.Split('\n').First(l => l.Contains(node, StringComparison.Ordinal));
        var actual = line[line.IndexOf("(actual", StringComparison.Ordinal)..];
        var rows = actual[(actual.IndexOf("rows=", StringComparison.Ordinal) + 5)..];
        return int.Parse(rows[..rows.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The day partitions of <paramref name="table"/> a plan section names (its tables and their indexes), distinct, in order.</summary>
    private static List<string> Partitions(string section, string table) =>
        System.Text.RegularExpressions.Regex.Matches(section, $@"(?<![A-Za-z_]){table}_p\d{{8}}")
            .Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The plan lines under the node named <paramref name="node"/> (those indented deeper than it).</summary>
    private static string Section(string plan, string node)
    {
        var lines = plan.Split('\n');
        var start = Array.FindIndex(lines, l => l.Contains(node, StringComparison.Ordinal));
        var depth = Indent(lines[start]);
        var section = new StringBuilder();
        for (var i = start + 1; i < lines.Length && (lines[i].Trim().Length == 0 || Indent(lines[i]) > depth); i++)
        {
            section.AppendLine(lines[i]);
        }

        return section.ToString();
    }

    private static int Indent(string line) => line.Length - line.TrimStart().Length;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
