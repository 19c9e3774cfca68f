using System.Diagnostics;
using XNovu.Core.Novu;
using XNovu.Dispatcher.Dispatch;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Dispatch;

[Collection(AppCollection.Name)]
public sealed class DispatchTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task Row_inserted_by_sql_is_rendered_and_delivered_to_novu()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var (id, transactionId) = await Harness.InsertNotificationAsync(
            enterprise.Id, "default-email", """{"subject":"Drill at 10","body":"Meet at <b>gate 4</b>"}""", """["sql-sub-1"]""");

        var state = await Harness.WaitForStatusAsync(id, "SENT");
        var events = await Harness.EventsAsync(transactionId);

        Assert.Equal(["SENT"], state.DeliveryStatuses);
        Assert.Null(state.ErrorDetails);
        var received = Assert.Single(events)!;
        Assert.Equal(NovuNames.WorkflowId(null, "default-email"), (string)received["workflow"]!);
        Assert.Equal(transactionId, (string)received["transactionId"]!);
        Assert.Equal(NovuNames.TransactionId(enterprise.Id, transactionId), (string)received["novuTransactionId"]!);
        Assert.Equal(NovuNames.TransactionId(enterprise.Id, transactionId), (string)received["idempotencyKey"]!);
        Assert.Equal(NovuNames.SubscriberId(enterprise.Id, "sql-sub-1"), (string)received["subscriberIds"]![0]!);
        var email = received["payload"]!["xnovu"]!["channels"]!["EMAIL"]!;
        Assert.Equal("Drill at 10", (string)email["subject"]!);
        // The payload's markup arrives encoded, not as markup.
        Assert.Contains("&lt;b&gt;gate 4&lt;/b&gt;", (string)email["body"]!, StringComparison.Ordinal);
        // The trigger payload stays in XNovu: Novu gets what its steps show.
        Assert.Null(received["payload"]!["body"]);
    }

    [Fact]
    public async Task Each_recipient_gets_its_own_delivery_and_transaction()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var (id, transactionId) = await Harness.InsertNotificationAsync(
            enterprise.Id, "default-in-app", """{"body":"Hello"}""",
            """["r-1", {"subscriberId":"r-2","email":"r2@example.com","firstName":"Ann"}, "r-3"]""");

        var state = await Harness.WaitForStatusAsync(id, "SENT");
        var events = await Harness.EventsAsync(transactionId);

        Assert.Equal(["SENT", "SENT", "SENT"], state.DeliveryStatuses);
        Assert.Equal(3, events.Count);
        Assert.Equal(3, events.Select(e => (string)e!["transactionId"]!).Distinct().Count());
        Assert.Equal(
            new[] { "r-1", "r-2", "r-3" }.Select(s => NovuNames.SubscriberId(enterprise.Id, s)).ToArray(),
            events.Select(e => (string)e!["subscriberIds"]![0]!).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task Server_errors_are_retried_until_novu_recovers()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscriber = Unique("retry-sub");
        await Harness.AddFaultAsync(new { statusCode = 503, count = 2, paths = new[] { "/v1/events" }, bodyContains = subscriber });

        var (id, transactionId) = await Harness.InsertNotificationAsync(enterprise.Id, "default-sms", """{"body":"x"}""", $"""["{subscriber}"]""");
        var state = await Harness.WaitForStatusAsync(id, "SENT");

        Assert.Equal([3], state.Attempts);
        Assert.Single(await Harness.EventsAsync(transactionId));
        Assert.Null(state.ErrorDetails);
    }

    [Fact]
    public async Task Retry_after_of_a_429_is_honoured()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscriber = Unique("slow-sub");
        await Harness.AddFaultAsync(new { retryAfterSeconds = 2, count = 1, paths = new[] { "/v1/events" }, bodyContains = subscriber });

        var (id, transactionId) = await Harness.InsertNotificationAsync(enterprise.Id, "default-sms", """{"body":"x"}""", $"""["{subscriber}"]""");
        await Harness.WaitForStatusAsync(id, "SENT");
        // A lone delivery goes as a single trigger whose Idempotency-Key is its transaction id, scoped to the enterprise.
        var key = NovuNames.TransactionId(enterprise.Id, transactionId);
        var triggers = (await Harness.RequestsAsync()).Where(r => (string?)r!["idempotencyKey"] == key).ToList();

        var refused = triggers.First(r => (int)r!["status"]! == 429)!;
        var accepted = triggers.Last(r => (int)r!["status"]! == 201)!;
        var waited = DateTimeOffset.Parse((string)accepted["time"]!, System.Globalization.CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse((string)refused["time"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(waited >= TimeSpan.FromSeconds(1.95), $"retried after {waited.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Validation_error_fails_at_once_without_retry()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscriber = Unique("bad-sub");
        await Harness.AddFaultAsync(new { statusCode = 422, count = 1, paths = new[] { "/v1/events" }, bodyContains = subscriber });

        var (id, transactionId) = await Harness.InsertNotificationAsync(enterprise.Id, "default-push", """{"body":"x"}""", $"""["{subscriber}"]""");
        var state = await Harness.WaitForStatusAsync(id, "FAILED");

        Assert.Equal([1], state.Attempts);
        Assert.Empty(await Harness.EventsAsync(transactionId));
        Assert.Equal(422, (int)state.ErrorDetails!["httpStatus"]!);
        Assert.Equal(1, (int)state.ErrorDetails!["attempts"]!);
        Assert.NotNull(state.ErrorDetails!["message"]);
        Assert.NotNull(state.ErrorDetails!["lastAttemptAt"]);
    }

    [Fact]
    public async Task Status_other_than_processed_fails()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var subscriber = Unique("inactive-sub");
        await Harness.AddFaultAsync(new { novuStatus = "trigger_not_active", count = 1, paths = new[] { "/v1/events" }, bodyContains = subscriber });

        var (id, _) = await Harness.InsertNotificationAsync(enterprise.Id, "default-chat", """{"body":"x"}""", $"""["{subscriber}"]""");
        var state = await Harness.WaitForStatusAsync(id, "FAILED");

        Assert.Equal("trigger_not_active", (string)state.ErrorDetails!["novuStatus"]!);
    }

    [Fact]
    public async Task Unknown_workflow_fails_with_a_clear_error()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();

        var (id, _) = await Harness.InsertNotificationAsync(enterprise.Id, "no-such-workflow", "{}", """["s"]""");
        var state = await Harness.WaitForStatusAsync(id, "FAILED");

        Assert.Contains("no-such-workflow", (string)state.ErrorDetails!["message"]!, StringComparison.Ordinal);
    }

    /// <summary>
    /// A committed notification wakes a claim loop at once (the insert's NOTIFY on the dispatchers' LISTEN
    /// connection), not at the loop's next sweep. The fixture's four loops (two replicas of two) each sweep every
    /// <see cref="DispatcherOptions.SweepInterval"/> (5 s) when idle, so without the wake-up five notifications sent
    /// one after the other would need some loop to sweep twice: at least 5 s in all, against half of that allowed here.
    /// </summary>
    [Fact]
    public async Task Notifications_one_after_another_each_wake_a_dispatcher_instead_of_waiting_for_its_sweep()
    {
        var sweep = new DispatcherOptions().SweepInterval;
        var enterprise = await fixture.CreateEnterpriseAsync();
        var latencies = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            var subscriber = Unique("woken");
            await Harness.InsertNotificationAsync(enterprise.Id, "default-sms", """{"body":"wake up"}""", $"""["{subscriber}"]""");
            var committed = Stopwatch.GetTimestamp();
            await Eventually.WaitForAsync(
                () => Harness.EventsAsync(subscriberId: NovuNames.SubscriberId(enterprise.Id, subscriber))!,
                events => events?.Count == 1, TimeSpan.FromSeconds(20), $"notification {i} at Novu");
            latencies.Add(Stopwatch.GetElapsedTime(committed));
        }

        var total = latencies.Aggregate(TimeSpan.Zero, (sum, latency) => sum + latency);
        Assert.True(total < sweep / 2,
            $"five notifications took {total.TotalMilliseconds:0} ms in all ({string.Join(", ", latencies.Select(l => $"{l.TotalMilliseconds:0}"))} ms)");
    }

    [Fact]
    public async Task Scheduled_notification_waits_for_its_time()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var due = DateTimeOffset.UtcNow.AddSeconds(3);

        var (id, transactionId) = await Harness.InsertNotificationAsync(enterprise.Id, "default-sms", """{"body":"later"}""", """["later-sub"]""", due);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var early = await Harness.EventsAsync(transactionId);
        await Harness.WaitForStatusAsync(id, "SENT");
        var received = (await Harness.EventsAsync(transactionId)).Single()!;
        var at = DateTimeOffset.Parse((string)received["receivedAt"]!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Empty(early);
        Assert.True(at >= due.AddMilliseconds(-50), $"delivered {(due - at).TotalMilliseconds} ms early");
        Assert.True(at <= due.AddSeconds(1), $"delivered {(at - due).TotalMilliseconds} ms late");
    }
}
