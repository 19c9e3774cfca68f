using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace XNovu.Testing.ProductionRun;

/// <summary>One trigger of a <see cref="TriggerLoad"/>: when it left, in which phase, to which API, what it answered and how fast.</summary>
/// <param name="Status">The HTTP status; 0 when no answer came (refused connection, timeout).</param>
/// <param name="Milliseconds">From the request leaving to its answer.</param>
public sealed record TriggerSample(double SentAtSeconds, string Phase, string Api, int Status, double Milliseconds, string TransactionId);

/// <summary>
/// <c>POST /api/trigger</c> in an open loop at a fixed rate, spread evenly over the APIs in the rotation, as a
/// Service spreads calls over its ready pods; an API that joins with a slow start gets a share rising from nothing
/// to an even one, as a load balancer's slow start gives it. Trigger <c>i</c> leaves at its scheduled time whether or not earlier
/// ones answered, so a slow answer cannot lower the offered load: after the ramp at <c>i / rate</c> seconds from the
/// start plus half the ramp, during the ramp on a rate rising linearly from 0 (a service that has run for days is
/// warm; one just started under the full rate spends its first seconds compiling). The rotation and the phase label
/// change while it runs.
/// </summary>
public sealed class TriggerLoad
{
    private readonly HttpClient http;
    private readonly string key;
    private readonly int perSecond;
    private readonly TimeSpan rampUp;
    private readonly string prefix;
    private readonly List<Task<TriggerSample>> sent = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Stopwatch clock = new();
    private volatile Member[] rotation;
    private volatile string phase;
    private Task? loop;
    private double lagMs;

    private TriggerLoad(HttpClient http, string key, int perSecond, TimeSpan rampUp, string prefix, (string Name, string Url)[] rotation, string phase)
    {
        this.http = http;
        this.key = key;
        this.perSecond = perSecond;
        this.rampUp = rampUp;
        this.prefix = prefix;
        this.rotation = [.. rotation.Select(api => new Member(api, TimeSpan.Zero, TimeSpan.Zero))];
        this.phase = phase;
    }

    /// <summary>The prefix of every transaction id this load sends (<c>{prefix}{i}</c>).</summary>
    public string Prefix => prefix;

    /// <summary>How late the latest send left against its schedule, at most: the load generator's own lag.</summary>
    public double MaxLagMs => lagMs;

    /// <summary>Time since the load started, on the clock of <see cref="TriggerSample.SentAtSeconds"/>.</summary>
    public TimeSpan Elapsed => clock.Elapsed;

    /// <summary>The label of the triggers being sent now.</summary>
    public string CurrentPhase => phase;

    public static TriggerLoad Start(HttpClient http, string key, int perSecond, TimeSpan rampUp, string phase, params (string Name, string Url)[] rotation)
    {
        var load = new TriggerLoad(http, key, perSecond, rampUp, $"upgrade-{Guid.NewGuid():N}"[..16] + "-", rotation, phase);
        load.clock.Start();
        load.loop = Task.Run(load.RunAsync);
        return load;
    }

    /// <summary>The APIs the next triggers go to; a trigger already sent finishes where it went.</summary>
    public void Route(params (string Name, string Url)[] apis) => rotation = [.. apis.Select(api => new Member(api, TimeSpan.Zero, TimeSpan.Zero))];

    /// <summary>Adds <paramref name="api"/> to the rotation; its share rises linearly to an even one over <paramref name="slowStart"/>.</summary>
    public void Join((string Name, string Url) api, TimeSpan slowStart) =>
        rotation = [.. rotation, new Member(api, clock.Elapsed, slowStart)];

    private sealed record Member((string Name, string Url) Api, TimeSpan JoinedAt, TimeSpan SlowStart)
    {
        public double Weight(TimeSpan now) =>
            SlowStart <= TimeSpan.Zero ? 1 : Math.Clamp((now - JoinedAt) / SlowStart, 0.01, 1);
    }

    /// <summary>The label of the triggers sent from now on.</summary>
    public void Phase(string label) => phase = label;

    /// <summary>Stops sending, waits for every answer, and answers every trigger sent in the order sent.</summary>
    public async Task<IReadOnlyList<TriggerSample>> StopAsync()
    {
        await stop.CancelAsync();
        await loop!;
        Task<TriggerSample>[] all;
        lock (sent)
        {
            all = [.. sent];
        }

        return await Task.WhenAll(all);
    }

    private async Task RunAsync()
    {
        for (var i = 0L; !stop.IsCancellationRequested; i++)
        {
            var wait = Scheduled(i) - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                try
                {
                    await Task.Delay(wait, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            else
            {
                lagMs = Math.Max(lagMs, -wait.TotalMilliseconds);
            }

            var target = Pick(rotation, i);
            var trigger = SendAsync(i, target, phase);
            lock (sent)
            {
                sent.Add(trigger);
            }
        }
    }

    /// <summary>
    /// The API of trigger <paramref name="i"/> by the members' weights, from a low-discrepancy sequence, so that the
    /// shares hold over any stretch of triggers, not only on average.
    /// </summary>
    private (string Name, string Url) Pick(Member[] members, long i)
    {
        var now = clock.Elapsed;
        var total = members.Sum(m => m.Weight(now));
        var point = (i * 0.6180339887498949 % 1) * total;
        foreach (var member in members)
        {
            point -= member.Weight(now);
            if (point < 0)
            {
                return member.Api;
            }
        }

        return members[^1].Api;
    }

    /// <summary>When trigger <paramref name="i"/> leaves: sent(t) = rate t² / 2 ramp during the ramp, rate (t - ramp / 2) after it.</summary>
    private TimeSpan Scheduled(long i)
    {
        var ramp = rampUp.TotalSeconds;
        var duringRamp = perSecond * ramp / 2;
        return TimeSpan.FromSeconds(i < duringRamp ? Math.Sqrt(2 * ramp * i / perSecond) : ramp + ((i - duringRamp) / perSecond));
    }

    private async Task<TriggerSample> SendAsync(long i, (string Name, string Url) api, string label)
    {
        await Task.Yield();
        var transactionId = prefix + i.ToString(CultureInfo.InvariantCulture);
        var body = $$$"""{"workflowId":"default-sms","to":"upgrade-{{{i % 1000}}}","transactionId":"{{{transactionId}}}","payload":{"body":"Upgrade {{{i}}}"}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{api.Url}/api/trigger")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var sentAt = clock.Elapsed;
        int status;
        try
        {
            using var answer = await http.SendAsync(request);
            status = (int)answer.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            status = 0;
        }

        return new TriggerSample(sentAt.TotalSeconds, label, api.Name, status, (clock.Elapsed - sentAt).TotalMilliseconds, transactionId);
    }
}
