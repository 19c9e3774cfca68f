using System.Data.Common;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using XNovu.Core.History;
using XNovu.Core.Workflows;

namespace XNovu.Api.Operations;

/// <summary>
/// The original's <c>/api/health</c>: the database decides up or down (nothing is stored without it), and so do
/// the dispatchers (nothing is delivered without one), and so does a shared Novu that refuses XNovu's key (every
/// delivery through it is paused); Redis (rate limits, caches) and an unreachable Novu (the dispatchers retry)
/// only degrade the service, as does an enterprise's own Novu environment in any trouble. The history's day
/// partitions (issue 32) decide too: none for the coming hours is unhealthy (notifications would be refused), few
/// days ahead degrades. The probes run at once,
/// each under <see cref="OperationsOptions.ProbeTimeout"/>, and a detail never quotes an exception's message.
/// </summary>
public sealed class SystemHealth(
    OperationsStore store,
    IConnectionMultiplexer redis,
    NovuProbe novu,
    StaticWorkflowRegistry registry,
    HistoryPartitionWatch history,
    IOptions<HistoryHealthOptions> historyOptions,
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
        var partitions = CheckHistoryAsync(cancellationToken);
        await Task.WhenAll(database, cache, novuCheck, dispatchers, partitions);

        // Static workflows are loaded at start; a process without them would not have started.
        var workflows = new ComponentHealth(
            registry.Workflows.Count > 0 ? HealthStatus.Healthy : HealthStatus.Degraded, 0, $"{registry.Workflows.Count} static workflows loaded");

        var (sharedNovu, ownNovu) = novuCheck.Result;
        // An enterprise's own environment with a wrong key is that enterprise's problem: it degrades the whole,
        // it never takes the service out of a load balancer.
        var components = new[] { database.Result.Status, cache.Result.Status, sharedNovu.Status, workflows.Status, dispatchers.Result.Status, partitions.Result.Status }
            .Concat(ownNovu.Select(e => e.Status == HealthStatus.Healthy ? HealthStatus.Healthy : HealthStatus.Degraded))
            .ToList();
        var overall = components.Contains(HealthStatus.Unhealthy) ? HealthStatus.Unhealthy
            : components.Any(c => c != HealthStatus.Healthy) ? HealthStatus.Degraded
            : HealthStatus.Healthy;
        return new HealthReport(overall, database.Result, cache.Result, sharedNovu, workflows, dispatchers.Result, time.GetUtcNow())
        {
            NovuEnvironments = ownNovu,
            History = partitions.Result,
        };
    }

    /// <summary>
    /// The history's day partitions, from the watch's cached catalog reading (the verdict is the dispatchers' health
    /// check's, <see cref="HistoryPartitionsHealthCheck.Verdict"/>). Unknown while the database does not answer:
    /// the database part already says so, so this one only degrades.
    /// </summary>
    private async Task<HistoryPartitionsHealth> CheckHistoryAsync(CancellationToken cancellationToken)
    {
        HistoryCoverage? coverage = null;
        var probe = await Probe(async token =>
        {
            coverage = await history.ReadAsync(token);
            return "read";
        }, HealthStatus.Degraded, cancellationToken);
        if (coverage is null)
        {
            return new HistoryPartitionsHealth(probe.Status, probe.DurationMs, $"history partitions {probe.Detail}", null);
        }

        var now = time.GetUtcNow();
        var (verdict, detail) = HistoryPartitionsHealthCheck.Verdict(coverage, now, historyOptions.Value);
        var status = verdict switch
        {
            Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy => HealthStatus.Unhealthy,
            Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded => HealthStatus.Degraded,
            _ => HealthStatus.Healthy,
        };
        return new HistoryPartitionsHealth(status, probe.DurationMs, detail, coverage.Partitioned ? coverage.DaysAhead(now) : null);
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

    private async Task<(ComponentHealth Shared, IReadOnlyList<NovuEnvironmentHealth> Own)> CheckNovuAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<NovuProbe.Result> results;
        try
        {
            results = await novu.ProbeAllAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or TimeoutException or InvalidOperationException)
        {
            // The enterprises' environments cannot be read (the database part says why): check the shared one.
            results = [await novu.ProbeSharedAsync(cancellationToken)];
        }

        var shared = results[0];
        var (status, detail) = Verdict(shared);
        return (new ComponentHealth(status, shared.LatencyMs, detail), results.Skip(1).Select(r =>
        {
            var (ownStatus, ownDetail) = Verdict(r);
            return new NovuEnvironmentHealth(r.Environment.EnterpriseId!.Value, ownStatus, r.Credentials, r.LatencyMs, ownDetail);
        }).ToList());
    }

    /// <summary>A refused key is unhealthy (its deliveries are paused); an unreachable Novu only degrades (they are retried).</summary>
    private static (string Status, string Detail) Verdict(NovuProbe.Result result) => result.Credentials switch
    {
        NovuProbe.Authorized => (HealthStatus.Healthy, $"authorized (HTTP {result.StatusCode})"),
        NovuProbe.Unauthorized => (HealthStatus.Unhealthy, $"unauthorized: {result.Error}"),
        _ => (HealthStatus.Degraded, $"unreachable: {result.Error}"),
    };

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
