using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace XNovu.Core.History;

/// <summary>
/// Whether notifications made now and in the coming days have a history partition to go to (issue 32; there is no
/// default partition). Unhealthy when the partitions end within <see cref="HistoryHealthOptions.UnhealthyWithin"/>
/// (or there is none for now), degraded with fewer than <see cref="HistoryHealthOptions.DegradedBelowDaysAhead"/>
/// whole days ahead; the description says how many days ahead exist. A database that does not answer is reported
/// by the database's own check: this one then says so, degraded, rather than guess.
/// </summary>
public sealed class HistoryPartitionsHealthCheck(HistoryPartitionWatch watch, IOptions<HistoryHealthOptions> options, TimeProvider time)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        HistoryCoverage coverage;
        try
        {
            coverage = await watch.ReadAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or TimeoutException)
        {
            return HealthCheckResult.Degraded($"history partitions unknown: the database does not answer ({e.GetType().Name})");
        }

        var (status, description) = Verdict(coverage, time.GetUtcNow(), options.Value);
        return new HealthCheckResult(status, description, data: new Dictionary<string, object>
        {
            ["daysAhead"] = coverage.Partitioned ? coverage.DaysAhead(time.GetUtcNow()) : 0,
        });
    }

    /// <summary>The verdict and its description for a reading at <paramref name="now"/>: the one place the thresholds are applied.</summary>
    public static (HealthStatus Status, string Description) Verdict(HistoryCoverage coverage, DateTimeOffset now, HistoryHealthOptions settings)
    {
        if (!coverage.Partitioned)
        {
            return (HealthStatus.Healthy, "history not partitioned yet (before migration 0053): nothing to make ahead");
        }

        var ahead = coverage.DaysAhead(now);
        if (ahead < 0)
        {
            return (HealthStatus.Unhealthy, "no history partition for today: notifications are refused; the dispatchers' retention pass makes them");
        }

        var until = coverage.CoveredUntil(now);
        var through = DateOnly.FromDateTime(until.UtcDateTime).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var description = $"{ahead} day(s) of history partitions ahead of today, through {through}";
        if (until - now < settings.UnhealthyWithin)
        {
            return (HealthStatus.Unhealthy, $"{description}: notifications are refused from {until.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC unless a retention pass makes more");
        }

        return ahead < settings.DegradedBelowDaysAhead
            ? (HealthStatus.Degraded, $"{description} (fewer than {settings.DegradedBelowDaysAhead}): is the dispatchers' retention pass failing?")
            : (HealthStatus.Healthy, description);
    }
}
