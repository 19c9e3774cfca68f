using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;

namespace XNovu.Testing.ProductionRun;

/// <summary>What one closed-loop trigger load measured on running services.</summary>
/// <param name="PerSecond">202s per second while the load ran.</param>
/// <param name="DispatchPerSecond">Accepted triggers SENT per second, from the load's start to the last one SENT.</param>
public sealed record ThroughputFigures(int Accepted, int Refused, double PerSecond, double P50Ms, double P99Ms, double DispatchPerSecond, double DrainSeconds);

/// <summary>
/// A closed-loop load of single triggers (each of <c>concurrency</c> callers sends its next trigger once the last is
/// answered) over every API for a while, then the wait until every accepted trigger is SENT: the throughput of the
/// trigger path and of dispatch on one deployment, so that two deployments (direct, behind PgBouncer) compare.
/// </summary>
public static class ThroughputProbe
{
    public static async Task<ThroughputFigures> MeasureAsync(ProductionRunContext context, TimeSpan duration, int concurrency, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromSeconds(30) };
        var (enterprise, key) = await UpgradeUnderLoad.CreateEnterpriseAsync(http, context.Apis[0], context.AdminKey, token);

        // Warm-up: each API's first calls (JIT, pools, caches) are not the figure.
        await RunAsync(http, context.Apis, key, "warm", TimeSpan.FromSeconds(5), concurrency, token);
        await WaitSentAsync(context.Owner, enterprise, token);

        var clock = Stopwatch.StartNew();
        var samples = await RunAsync(http, context.Apis, key, "run", duration, concurrency, token);
        var loadSeconds = clock.Elapsed.TotalSeconds;
        var accepted = samples.Count(s => s.Status == 202);
        await WaitSentAsync(context.Owner, enterprise, token);
        var allSent = clock.Elapsed.TotalSeconds;
        var latencies = samples.Where(s => s.Status == 202).Select(s => s.Ms).Order().ToList();
        return new ThroughputFigures(
            accepted, samples.Count - accepted, accepted / loadSeconds,
            Percentile(latencies, 50), Percentile(latencies, 99), accepted / allSent, allSent - loadSeconds);
    }

    private static async Task<List<(int Status, double Ms)>> RunAsync(
        HttpClient http, IReadOnlyList<string> apis, string key, string prefix, TimeSpan duration, int concurrency, CancellationToken token)
    {
        var run = $"{prefix}-{Guid.NewGuid():N}"[..16];
        var clock = Stopwatch.StartNew();
        var callers = Enumerable.Range(0, concurrency).Select(async caller =>
        {
            var samples = new List<(int, double)>();
            for (var i = 0; clock.Elapsed < duration; i++)
            {
                var body = $$$"""{"workflowId":"default-sms","to":"probe-{{{(caller * 7919 + i) % 1000}}}","transactionId":"{{{run}}}-{{{caller}}}-{{{i.ToString(CultureInfo.InvariantCulture)}}}","payload":{"body":"Probe {{{i}}}"}}""";
                using var request = new HttpRequestMessage(HttpMethod.Post, $"{apis[(caller + i) % apis.Count]}/api/trigger")
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                var sent = clock.Elapsed;
                int status;
                try
                {
                    using var answer = await http.SendAsync(request, token);
                    status = (int)answer.StatusCode;
                }
                catch (HttpRequestException)
                {
                    status = 0;
                }

                samples.Add((status, (clock.Elapsed - sent).TotalMilliseconds));
            }

            return samples;
        });
        return [.. (await Task.WhenAll(callers)).SelectMany(s => s)];
    }

    private static async Task WaitSentAsync(string owner, Guid enterprise, CancellationToken token)
    {
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync(token);
        await using var open = new NpgsqlCommand(
            "SELECT count(*) FROM notify.ent_notification WHERE enterprise_id = @e AND notification_status::text NOT IN ('SENT', 'FAILED', 'SKIPPED')", connection);
        open.Parameters.AddWithValue("e", enterprise);
        var deadline = Stopwatch.StartNew();
        while ((long)(await open.ExecuteScalarAsync(token))! > 0)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("triggers still not SENT 5 minutes after the load");
            }

            await Task.Delay(100, token);
        }
    }

    private static double Percentile(List<double> sorted, int percentile) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
}
