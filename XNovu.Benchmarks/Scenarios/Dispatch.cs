using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using XNovu.Core.Novu;

namespace XNovu.Benchmarks.Scenarios;

/// <summary>One round: the dispatchers' run, then the raw loop over the same events.</summary>
public sealed record DispatchRound(int Received, TimeSpan FirstAfterDue, TimeSpan LastAfterDue, LoopResult RawLoop, int RawReceived)
{
    public double DeliveriesPerSecond => Received / LastAfterDue.TotalSeconds;

    public double RawPerSecond => RawReceived / RawLoop.Elapsed.TotalSeconds;
}

public sealed record DispatchResult(IReadOnlyList<DispatchRound> Rounds, int RawConcurrency)
{
    public double DeliveriesPerSecond => Median(Rounds.Select(r => r.DeliveriesPerSecond));

    public double RawPerSecond => Median(Rounds.Select(r => r.RawPerSecond));

    public double Ratio => DeliveriesPerSecond / RawPerSecond;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>
/// Scenario 3: K notifications inserted in one statement fall due together; the time from due to the last
/// one received by the emulator gives deliveries per second. The baseline posts the very events the
/// emulator received (rendered content included, new transaction ids) as bulk calls of 100 with as many
/// callers as the dispatchers have claim loops, to the same emulator URL the dispatchers use. Each round
/// runs both; the medians over the rounds are compared.
/// </summary>
public static class Dispatch
{
    public static async Task<DispatchResult> RunAsync(BenchmarkApp app, BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        var concurrency = settings.DispatcherReplicas * settings.DispatcherLoops;
        var raw = app.CreateClient(app.NovuUrl, concurrency);
        raw.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", BenchmarkApp.EmulatorKey);
        var rounds = new List<DispatchRound>();
        for (var round = 1; round <= settings.DispatchRounds; round++)
        {
            rounds.Add(await RoundAsync(app, settings, raw, concurrency, round, cancellationToken));
        }

        return new DispatchResult(rounds, concurrency);
    }

    private static async Task<DispatchRound> RoundAsync(
        BenchmarkApp app, BenchmarkSettings settings, HttpClient raw, int concurrency, int round, CancellationToken cancellationToken)
    {
        await SingleTriggers.DrainAsync(app, settings, cancellationToken);
        await app.ResetEmulatorAsync(cancellationToken);
        var enterprise = await app.CreateEnterpriseAsync("bench-dispatch", 1, cancellationToken);
        var count = settings.DispatchNotifications;
        var prefix = $"bench-dispatch-{Guid.NewGuid():N}"[..23] + "-";

        var due = DateTimeOffset.UtcNow + settings.DispatchLead;
        await InsertAsync(app, enterprise.Id, prefix, count, due, cancellationToken);
        var margin = due - DateTimeOffset.UtcNow;
        if (margin <= TimeSpan.Zero)
        {
            Report.Line($"warning: the insert ended {-margin.TotalMilliseconds:0} ms after the due time; raise --DispatchLead");
        }

        if (!await app.WaitForDrainAsync(enterprise.Id, settings.DrainTimeout, cancellationToken))
        {
            Report.Line($"warning: deliveries still open after {settings.DrainTimeout.TotalSeconds:0} s");
        }

        var statuses = await app.DeliveryStatusesAsync(enterprise.Id, cancellationToken);
        // Novu receives each id scoped to the enterprise; the scoped prefix begins every scoped id that starts with it.
        var novuPrefix = NovuNames.TransactionId(enterprise.Id, prefix);
        var events = (await app.EventsAsync(cancellationToken))
            .Where(e => e.TransactionId.StartsWith(novuPrefix, StringComparison.Ordinal))
            .OrderBy(e => (long)e.Body["sequence"]!)
            .ToList();
        if (events.Count == 0)
        {
            throw new InvalidOperationException($"The emulator received none of the {count} deliveries ({Describe(statuses)}).");
        }

        var first = events.Min(e => e.ReceivedAt) - due;
        var last = events.Max(e => e.ReceivedAt) - due;
        var (loop, rawReceived) = await RawLoopAsync(app, settings, raw, concurrency, events, cancellationToken);
        var result = new DispatchRound(events.Count, first, last, loop, rawReceived);
        Report.Line($"round {round}: XNovu {events.Count} received ({Describe(statuses)}), first {first.TotalMilliseconds:0} ms and last {last.TotalMilliseconds:0} ms after due"
            + $" -> {Report.Rate(result.DeliveriesPerSecond, "deliveries/s")}");
        Report.Line($"         raw loop {loop.Calls} bulk calls of {settings.RawBulkSize} by {concurrency} callers in {loop.Elapsed.TotalMilliseconds:0} ms, {loop.Failures} failed{(loop.FirstFailure is null ? "" : $" (first: {loop.FirstFailure})")}, {rawReceived} received"
            + $" -> {Report.Rate(result.RawPerSecond, "deliveries/s")}");
        return result;
    }

    private static async Task InsertAsync(BenchmarkApp app, Guid enterpriseId, string prefix, int count, DateTimeOffset due, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(app.OwnerConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients, transaction_id, scheduled_for)
            SELECT @enterprise, 'default-sms', jsonb_build_object('body', 'Dispatch benchmark ' || i),
                   jsonb_build_array('bench-dispatch-' || i), @prefix || i, @due
            FROM generate_series(1, @count) AS i
            """,
            connection);
        insert.Parameters.AddWithValue("enterprise", enterpriseId);
        insert.Parameters.AddWithValue("prefix", prefix);
        insert.Parameters.AddWithValue("count", count);
        insert.Parameters.AddWithValue("due", due);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The same events, re-sent with HttpClient and nothing else: bodies serialized before the clock starts,
    /// one Idempotency-Key per call as the Novu client sends, no database, no rendering.
    /// </summary>
    private static async Task<(LoopResult Loop, int Received)> RawLoopAsync(
        BenchmarkApp app, BenchmarkSettings settings, HttpClient client, int concurrency, IReadOnlyList<ReceivedEvent> events, CancellationToken cancellationToken)
    {
        await app.ResetEmulatorAsync(cancellationToken);
        const string rawPrefix = "raw-";
        var bodies = events
            .Chunk(settings.RawBulkSize)
            .Select(chunk => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
            {
                ["events"] = new JsonArray(chunk.Select(e => (JsonNode)Event(e, rawPrefix + e.TransactionId)).ToArray()),
            }))
            .ToList();

        // A warm-up call per caller opens the connections; its events are not counted.
        var warm = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["events"] = new JsonArray(Event(events[0], "warm-" + events[0].TransactionId)) });
        await Load.ClosedLoopAsync(concurrency, concurrency, _ => PostAsync(client, warm, cancellationToken));

        var loop = await Load.ClosedLoopAsync(bodies.Count, concurrency, i => PostAsync(client, bodies[i], cancellationToken));
        var received = (await app.EventsAsync(cancellationToken)).Count(e => e.TransactionId.StartsWith(rawPrefix, StringComparison.Ordinal));
        return (loop, received);
    }

    private static JsonObject Event(ReceivedEvent received, string transactionId)
    {
        var body = received.Body;
        var item = new JsonObject
        {
            ["name"] = body["workflow"]?.DeepClone(),
            ["to"] = body["to"]?.DeepClone(),
            ["payload"] = body["payload"]?.DeepClone(),
            ["transactionId"] = transactionId,
        };
        if (body["overrides"] is { } overrides)
        {
            item["overrides"] = overrides.DeepClone();
        }

        return item;
    }

    private static async Task<string?> PostAsync(HttpClient client, byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events/trigger/bulk") { Content = content };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", $"raw-bulk-{Guid.NewGuid():N}");
        using var response = await client.SendAsync(request, cancellationToken);
        return response.StatusCode == HttpStatusCode.Created
            ? null
            : $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
    }

    private static string Describe(Dictionary<string, long> statuses) =>
        string.Join(", ", statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Value} {s.Key}"));
}
