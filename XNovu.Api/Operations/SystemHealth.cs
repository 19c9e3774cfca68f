using System.Data.Common;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using XNovu.Core.Workflows;

namespace XNovu.Api.Operations;

/// <summary>
/// The original's <c>/api/health</c>: the database decides up or down (nothing is stored without it), and so do
/// the dispatchers (nothing is delivered without one); Redis (rate limits, caches) and Novu (the dispatchers
/// retry) only degrade the service. The probes run at once,
/// each under <see cref="OperationsOptions.ProbeTimeout"/>, and a detail never quotes an exception's message.
/// </summary>
public sealed class SystemHealth(
    OperationsStore store,
    IConnectionMultiplexer redis,
    NovuProbe novu,
    StaticWorkflowRegistry registry,
    IOptions<OperationsOptions> options,
    TimeProvider time)
{
    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var database = Probe(async token =>
        {
            await store.PingAsync(token);
            return "connected";
        }, HealthStatus.Unhealthy, cancellationToken);
        var cache = Probe(async token =>
        {
            await redis.GetDatabase().PingAsync().WaitAsync(token);
            return "connected";
        }, HealthStatus.Degraded, cancellationToken);
        var novuCheck = CheckNovuAsync(cancellationToken);
        var dispatchers = CheckDispatchersAsync(cancellationToken);
        await Task.WhenAll(database, cache, novuCheck, dispatchers);

        // Static workflows are loaded at start; a process without them would not have started.
        var workflows = new ComponentHealth(
            registry.Workflows.Count > 0 ? HealthStatus.Healthy : HealthStatus.Degraded, 0, $"{registry.Workflows.Count} static workflows loaded");

        var components = new[] { database.Result.Status, cache.Result.Status, novuCheck.Result.Status, workflows.Status, dispatchers.Result.Status };
        var overall = components.Contains(HealthStatus.Unhealthy) ? HealthStatus.Unhealthy
            : components.Any(c => c != HealthStatus.Healthy) ? HealthStatus.Degraded
            : HealthStatus.Healthy;
        return new HealthReport(overall, database.Result, cache.Result, novuCheck.Result, workflows, dispatchers.Result, time.GetUtcNow());
    }

    /// <summary>Never healthy while nothing is delivered: no live dispatcher, or a due delivery waiting too long.</summary>
    private async Task<DispatchersHealth> CheckDispatchersAsync(CancellationToken cancellationToken)
    {
        DispatcherStatus? status = null;
        var probe = await Probe(async token =>
        {
            status = await store.DispatchersAsync(token);
            return "read";
        }, HealthStatus.Unhealthy, cancellationToken);
        if (status is not { } s)
        {
            return new DispatchersHealth(probe.Status, probe.DurationMs, $"dispatcher state {probe.Detail}", null, null, null, null);
        }

        var maxAge = options.Value.MaxDueDeliveryAge;
        var age = Math.Round(s.OldestDueAgeSeconds, 1);
        var (verdict, detail) = s.LiveReplicas == 0 ? (HealthStatus.Unhealthy, "no live dispatcher: nothing is delivered")
            : age > maxAge.TotalSeconds ? (HealthStatus.Unhealthy, $"the oldest due delivery has waited {age:0} s (limit {maxAge.TotalSeconds:0} s)")
            : s.LoopsRunning < s.LoopsConfigured ? (HealthStatus.Degraded, $"{s.LoopsRunning} of {s.LoopsConfigured} claim loops run")
            : (HealthStatus.Healthy, $"{s.LiveReplicas} live, {s.LoopsRunning} claim loops");
        return new DispatchersHealth(verdict, probe.DurationMs, detail, s.LiveReplicas, s.LoopsRunning, s.LoopsConfigured, age);
    }

    private async Task<ComponentHealth> CheckNovuAsync(CancellationToken cancellationToken)
    {
        var result = await novu.ProbeAsync(cancellationToken);
        return result.Reachable
            ? new ComponentHealth(HealthStatus.Healthy, result.LatencyMs, $"reachable (HTTP {result.StatusCode})")
            : new ComponentHealth(HealthStatus.Degraded, result.LatencyMs, result.Error ?? "unreachable");
    }

    private async Task<ComponentHealth> Probe(Func<CancellationToken, Task<string>> check, string failedStatus, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ProbeTimeout);
        string status;
        string detail;
        try
        {
            detail = await check(timeout.Token);
            status = HealthStatus.Healthy;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            (status, detail) = (failedStatus, $"no answer within {options.Value.ProbeTimeout.TotalMilliseconds:0} ms");
        }
        catch (Exception e) when (e is DbException or RedisException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            (status, detail) = (failedStatus, $"unreachable ({e.GetType().Name})");
        }

        return new ComponentHealth(status, Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1), detail);
    }
}
