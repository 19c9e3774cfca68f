using System.Text.Json.Nodes;
using Dapper;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Compatibility;

/// <summary>
/// The cutover of docs/operations.md ("Moving from the original"): stop the original's worker, <c>xnovu import
/// --notifications</c>, start XNovu. The original's PENDING notifications, due and scheduled for later, are sent by
/// XNovu once, with their transaction ids; nothing pending is lost, nothing is sent by both systems.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class CutoverTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private const string Ann = "aaaaaaaa-0000-4000-8000-000000000001";
    private const string Bo = "aaaaaaaa-0000-4000-8000-000000000002";
    private const string Cy = "aaaaaaaa-0000-4000-8000-000000000003";

    /// <summary>The original's worker query for work to send (lib/notifications/trigger.ts, triggerPendingNotifications).</summary>
    private const string OriginalWorkerQuery =
        "SELECT id FROM notify.ent_notification WHERE notification_status = 'PENDING' AND publish_status = 'PUBLISH' ORDER BY id";

    private readonly OriginalDatabase _original = new(fixture);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await _original.CreateAsync();
    }

    public override async Task DisposeAsync()
    {
        await _original.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Pending_and_scheduled_notifications_are_delivered_once_with_their_transaction_ids_and_a_rerun_sends_nothing_more()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var (exitCode, report, errors) = await _original.ImportAsync(enterprise, notifications: true);

        Assert.True(exitCode == 2, $"exit {exitCode}: {report.ToJsonString()} {errors}");
        Assert.Equal(
            [
                "create notification 700 Order 42 shipped",
                "create notification 701 Drill soon",
                "create notification 702 Drill next year",
                "create notification 703 Welcome mail",
                "failed notification 705 Coded workflow",
                "skip notification 704 Draft note",
                "skip notification 706 In flight",
            ],
            report.Lines().Where(l => l.Contains(" notification ", StringComparison.Ordinal)));
        var shipped = await XNovuNotificationAsync(enterprise, "orig-tx-700");
        var soon = await XNovuNotificationAsync(enterprise, "orig-tx-701");
        var nextYear = await XNovuNotificationAsync(enterprise, "original-702");
        var welcome = await XNovuNotificationAsync(enterprise, "original-703");
        await using var original = await _original.OpenAsync();
        var scheduledFor = await original.ExecuteScalarAsync<DateTime>("SELECT scheduled_for FROM notify.ent_notification WHERE id = 701");

        // Due ones at once; the one scheduled for later waits for its time, then goes; next year's waits.
        await Harness.WaitForStatusAsync(shipped.Id, "SENT");
        await Harness.WaitForStatusAsync(welcome.Id, "SENT");
        Assert.Equal(scheduledFor, soon.ScheduledFor!.Value, TimeSpan.FromMilliseconds(1));
        await Eventually.WaitForAsync<NotificationState>(async () => await Harness.StateAsync(soon.Id), s => s?.Status == "SENT", TimeSpan.FromSeconds(90), "the scheduled notification to be sent");
        Assert.Equal("PENDING", (await Harness.StateAsync(nextYear.Id)).Status);
        Assert.Equal(new DateTime(2031, 6, 1, 8, 0, 0, DateTimeKind.Utc), nextYear.ScheduledFor!.Value.ToUniversalTime());

        // In the original, each moved row is RETRACTED with the XNovu transaction id, so its worker finds nothing of them.
        var moved = (await original.QueryAsync<(long, string, string)>(
            "SELECT id, notification_status::text, retraction_reason FROM notify.ent_notification WHERE id IN (700, 701, 702, 703) ORDER BY id")).ToList();
        Assert.All(moved, m => Assert.Equal("RETRACTED", m.Item2));
        Assert.Equal("moved to XNovu, transaction id orig-tx-700", moved[0].Item3);
        Assert.Equal([705L, 800L], await original.QueryAsync<long>(OriginalWorkerQuery));

        var again = (await _original.ImportAsync(enterprise, notifications: true)).Report;
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Contains("unchanged notification 700 Order 42 shipped", again.Lines(), StringComparer.Ordinal);
        Assert.DoesNotContain(again.Lines("create"), l => l.Contains(" notification ", StringComparison.Ordinal));
        var events = await EnterpriseEventsAsync(enterprise);
        Assert.Equal(
            [("orig-tx-700", Ann), ("orig-tx-701-1", Ann), ("orig-tx-701-2", Bo), ("original-703", Cy)],
            events.Select(e => ((string)e["transactionId"]!, SubscriberOf(e["to"]!))).Order());
        var shippedEvent = events.Single(e => (string)e["transactionId"]! == "orig-tx-700");
        Assert.Equal("Order 42 shipped", (string)shippedEvent["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["subject"]!);
    }

    [Fact]
    public async Task A_notification_the_original_worker_takes_during_the_cutover_is_left_to_it_and_not_sent_by_XNovu()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await using var worker = await _original.OpenAsync();
        await using var transaction = await worker.BeginTransactionAsync();
        // What the original's worker does first (lib/notifications/trigger.ts): PROCESSING, before it calls Novu.
        await worker.ExecuteAsync("UPDATE notify.ent_notification SET notification_status = 'PROCESSING' WHERE id = 700", transaction: transaction);

        var import = _original.ImportAsync(enterprise, notifications: true);
        await Task.Delay(TimeSpan.FromSeconds(4));
        await transaction.CommitAsync();
        var report = (await import).Report;

        Assert.Contains("skip notification 700 Order 42 shipped", report.Lines(), StringComparer.Ordinal);
        Assert.Contains("the original's worker took it first", report.Detail("skip", "notification", "700 Order 42 shipped"), StringComparison.Ordinal);
        Assert.Equal("PROCESSING", await worker.ExecuteScalarAsync<string>("SELECT notification_status::text FROM notify.ent_notification WHERE id = 700"));
        Assert.Equal(0, await XNovuCountAsync(enterprise, "orig-tx-700"));
    }

    [Fact]
    public async Task Dry_run_of_a_cutover_lists_the_notifications_and_writes_nothing_on_either_side()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var (_, report, _) = await _original.ImportAsync(enterprise, dryRun: true, notifications: true);

        await using var original = await _original.OpenAsync();
        Assert.Contains("create notification 701 Drill soon", report.Lines(), StringComparer.Ordinal);
        Assert.Contains("scheduled for", report.Detail("create", "notification", "701 Drill soon"), StringComparison.Ordinal);
        Assert.Equal([700L, 701L, 702L, 703L, 705L, 800L], await original.QueryAsync<long>(OriginalWorkerQuery));
        Assert.Equal(0, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    private async Task<(long Id, DateTime? ScheduledFor)> XNovuNotificationAsync(TestEnterprise enterprise, string transactionId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        return await connection.QuerySingleAsync<(long, DateTime?)>(
            "SELECT id, scheduled_for FROM notify.ent_notification WHERE enterprise_id = @enterprise AND transaction_id = @transactionId",
            new { enterprise = enterprise.Id, transactionId });
    }

    private async Task<long> XNovuCountAsync(TestEnterprise enterprise, string transactionId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notify.ent_notification WHERE enterprise_id = @enterprise AND transaction_id = @transactionId",
            new { enterprise = enterprise.Id, transactionId });
    }

    private static string SubscriberOf(JsonNode to) => to switch
    {
        JsonArray many => SubscriberOf(Assert.Single(many)!),
        // Novu's subscriber ids are scoped to the enterprise as transaction ids are: the caller's is after the scope.
        JsonObject one => DispatchHarness.CallerTransactionId((string)one["subscriberId"]!),
        _ => DispatchHarness.CallerTransactionId((string)to!),
    };

    /// <summary>The events Novu received for this enterprise (its id is the scope of every transaction id sent).</summary>
    private async Task<List<JsonNode>> EnterpriseEventsAsync(TestEnterprise enterprise) =>
        (await Harness.EventsAsync())
            .Where(e => ((string)e!["novuTransactionId"]!).StartsWith(enterprise.Id.ToString("N"), StringComparison.Ordinal))
            .Select(e => e!)
            .ToList();
}
