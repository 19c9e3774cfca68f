using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.Options;
using XNovu.Core.Persistence;
using XNovu.Core.Telemetry;

namespace XNovu.Core.History;

/// <summary>
/// Reads which history day partitions exist (issue 32), for health and for the gauge
/// <c>xnovu.history.partition_days_ahead</c>: one catalog query, its answer reused for
/// <see cref="HistoryHealthOptions.CacheDuration"/>. What is kept is the list of days, not a count: the days ahead
/// are counted from the clock at each use, so a reading taken before midnight is still right after it. The
/// retention pass calls <see cref="Forget"/> after it makes partitions, so health sees them at once, and reads again,
/// so the gauge has a value from the first pass on. A scrape never queries the database.
/// </summary>
public sealed class HistoryPartitionWatch
{
    /// <summary>Days from @today on having all three partitions (named <c>..._pYYYYMMDD</c> by ensure_history_partitions).</summary>
    private const string CoverageSql =
        """
        SELECT coalesce((SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass('notify.ent_notification')), false) AS partitioned,
               ARRAY(
                   SELECT to_date(substring(c.relname FROM '_p(\d{8})$'), 'YYYYMMDD') - @today
                   FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                   WHERE i.inhparent IN (to_regclass('notify.ent_notification'), to_regclass('notify.ent_notification_delivery'),
                                         to_regclass('notify.ent_delivery_event'))
                     AND c.relname ~ '_p\d{8}$'
                     AND to_date(substring(c.relname FROM '_p(\d{8})$'), 'YYYYMMDD') >= @today
                   GROUP BY 1
                   HAVING count(*) = 3
                   ORDER BY 1) AS days
        """;

    private readonly XNovuDatabase _database;
    private readonly TimeProvider _time;
    private readonly IOptions<HistoryHealthOptions> _options;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private volatile Reading? _last;

    public HistoryPartitionWatch(XNovuDatabase database, TimeProvider time, IOptions<HistoryHealthOptions> options, IMeterFactory meters)
    {
        _database = database;
        _time = time;
        _options = options;
        meters.Create(XNovuTelemetry.Name).CreateObservableGauge(
            "xnovu.history.partition_days_ahead",
            ObserveDaysAhead,
            "{day}",
            "Whole UTC days after today whose history partitions exist (-1: none for today, notifications are refused)");
    }

    private sealed record Reading(HistoryCoverage Coverage, long At);

    /// <summary>The last reading if younger than the cache duration, else a new one.</summary>
    public async Task<HistoryCoverage> ReadAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } fresh)
        {
            return fresh;
        }

        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } read)
            {
                return read;
            }

            var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
            await using var connection = await _database.OpenUnscopedAsync(cancellationToken);
            var (partitioned, offsets) = await connection.QuerySingleAsync<(bool, int[])>(new CommandDefinition(
                CoverageSql, new { today }, cancellationToken: cancellationToken));
            var coverage = new HistoryCoverage(partitioned, offsets.Select(today.AddDays).ToList());
            _last = new Reading(coverage, _time.GetTimestamp());
            return coverage;
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>The next read asks the catalog again (after partitions were made or dropped).</summary>
    public void Forget() => _last = null;

    private HistoryCoverage? Fresh() =>
        _last is { } last && _time.GetElapsedTime(last.At) < _options.Value.CacheDuration ? last.Coverage : null;

    /// <summary>From the last reading, whatever its age (a scrape never queries the database); nothing before the first.</summary>
    private IEnumerable<Measurement<int>> ObserveDaysAhead() =>
        _last is { Coverage.Partitioned: true } last ? [new Measurement<int>(last.Coverage.DaysAhead(_time.GetUtcNow()))] : [];
}
