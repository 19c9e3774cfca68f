using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace XNovu.Benchmarks.Scenarios;

public sealed record OutboundWebhookResult(
    int Messages, TimeSpan Elapsed, long Received, LoopResult Baseline, LoopResult WithWebhooks)
{
    public double DeliveriesPerSecond => Messages / Elapsed.TotalSeconds;
}

/// <summary>
/// Scenario 6 (issue 28): outbound webhooks. (a) <see cref="BenchmarkSettings.WebhookMessages"/> outbox messages for
/// one endpoint on a local receiver (Kestrel on loopback, answering 204), queued in one statement, timed until the
/// dispatchers' senders have delivered every one (claimed, signed, sent, recorded). (b) The trigger API's 202 p99
/// with no webhooks, then for an enterprise whose endpoint receives notification.accepted for every trigger (the
/// outbox written by the completion, the sender busy), in alternating rounds.
/// </summary>
public static class OutboundWebhooks
{
    public static async Task<OutboundWebhookResult> RunAsync(BenchmarkApp app, BenchmarkSettings settings, CancellationToken cancellationToken)
    {
        long received = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = builder.Build();
        receiver.MapPost("/hook", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            Interlocked.Increment(ref received);
            return Results.NoContent();
        });
        await receiver.StartAsync(cancellationToken);
        var url = receiver.Urls.First() + "/hook";

        var plain = await app.CreateEnterpriseAsync("bench-no-webhooks", settings.SingleConcurrency, cancellationToken);
        var hooked = await app.CreateEnterpriseAsync("bench-webhooks", settings.SingleConcurrency, cancellationToken);
        using (var admin = new HttpClient { BaseAddress = app.ApiUrl })
        {
            admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BenchmarkApp.AdminKey);
            await BenchmarkApp.EnsureSuccessAsync(await admin.PutAsJsonAsync(
                $"/api/admin/enterprises/{hooked.Id}/webhooks", new { allowPrivateAddresses = true }, cancellationToken), "allowing loopback");
        }

        var created = await hooked.Client.PostAsJsonAsync("/api/webhooks/endpoints",
            new { url, eventTypes = new[] { "notification.accepted" } }, cancellationToken);
        await BenchmarkApp.EnsureSuccessAsync(created, "creating a webhook endpoint");
        var endpointId = Guid.Parse((string)(await created.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))!["id"]!);

        // (a) Throughput.
        await using var owner = new NpgsqlConnection(app.OwnerConnectionString);
        await owner.OpenAsync(cancellationToken);
        var watch = Stopwatch.StartNew();
        await using (var queue = new NpgsqlCommand(
            """
            INSERT INTO notify.ent_webhook_message (enterprise_id, endpoint_id, event_type, payload)
            SELECT @enterprise, @endpoint, 'notification.accepted',
                   jsonb_build_object('type', 'notification.accepted', 'timestamp', now(), 'data', jsonb_build_object(
                       'notificationId', g, 'deliveryId', g, 'transactionId', 'bench-' || g, 'subscriberId', 'sub-' || g, 'status', 'SENT'))
            FROM generate_series(1, @count) g;
            SELECT pg_notify('xnovu_webhooks', '');
            """, owner))
        {
            queue.Parameters.AddWithValue("enterprise", hooked.Id);
            queue.Parameters.AddWithValue("endpoint", endpointId);
            queue.Parameters.AddWithValue("count", settings.WebhookMessages);
            await queue.ExecuteNonQueryAsync(cancellationToken);
        }

        var deadline = Stopwatch.StartNew();
        long pending;
        do
        {
            await Task.Delay(50, cancellationToken);
            await using var count = new NpgsqlCommand(
                "SELECT count(*) FROM notify.ent_webhook_message WHERE endpoint_id = @endpoint AND status = 'pending'", owner);
            count.Parameters.AddWithValue("endpoint", endpointId);
            pending = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }
        while (pending > 0 && deadline.Elapsed < TimeSpan.FromMinutes(3));
        var elapsed = watch.Elapsed;
        Report.Line($"outbox: {settings.WebhookMessages} messages delivered in {elapsed.TotalSeconds:0.00} s ({pending} left) -> {Report.Rate(settings.WebhookMessages / elapsed.TotalSeconds, "deliveries/s")}; receiver got {Interlocked.Read(ref received)} (load {Report.LoadAverage()})");

        // (b) Trigger p99 with and without webhooks, alternating.
        var baseline = new List<LoopResult>();
        var withWebhooks = new List<LoopResult>();
        for (var round = 0; round < 2; round++)
        {
            await SingleTriggers.DrainAsync(app, settings, cancellationToken);
            var a = await Load.ClosedLoopAsync(settings.WebhookTriggerCalls, settings.SingleConcurrency, i => TriggerAsync(plain, $"p{round}-{i}", cancellationToken));
            baseline.Add(a);
            Report.Line($"round {round + 1}: no webhooks    {a.Calls} triggers, {a.Failures} failed -> {Report.Rate(a.PerSecond(), "triggers/s")}, 202 p50 {Report.Ms(a.P(50))} p99 {Report.Ms(a.P(99))}");
            await SingleTriggers.DrainAsync(app, settings, cancellationToken);
            var b = await Load.ClosedLoopAsync(settings.WebhookTriggerCalls, settings.SingleConcurrency, i => TriggerAsync(hooked, $"w{round}-{i}", cancellationToken));
            withWebhooks.Add(b);
            Report.Line($"round {round + 1}: with webhooks  {b.Calls} triggers, {b.Failures} failed -> {Report.Rate(b.PerSecond(), "triggers/s")}, 202 p50 {Report.Ms(b.P(50))} p99 {Report.Ms(b.P(99))}");
        }

        await SingleTriggers.DrainAsync(app, settings, cancellationToken);
        await receiver.StopAsync(cancellationToken);
        return new OutboundWebhookResult(settings.WebhookMessages, elapsed, Interlocked.Read(ref received), Merge(baseline), Merge(withWebhooks));
    }

    private static LoopResult Merge(List<LoopResult> rounds) => new(
        rounds.Sum(r => r.Calls), rounds.Sum(r => r.Failures), TimeSpan.FromTicks(rounds.Sum(r => r.Elapsed.Ticks)),
        rounds.Select(r => r.FirstFailure).FirstOrDefault(f => f is not null), rounds.SelectMany(r => r.Latencies).Order().ToList(),
        rounds.SelectMany(r => r.ByIndex).ToList());

    private static async Task<string?> TriggerAsync(BenchEnterprise enterprise, string suffix, CancellationToken cancellationToken)
    {
        var body = $$$"""{"workflowId":"default-sms","to":"bench-hook-{{{suffix}}}","payload":{"body":"Benchmark message {{{suffix}}}"}}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await enterprise.Client.PostAsync("/api/trigger", content, cancellationToken);
        return response.StatusCode == HttpStatusCode.Accepted
            ? null
            : $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
    }
}
