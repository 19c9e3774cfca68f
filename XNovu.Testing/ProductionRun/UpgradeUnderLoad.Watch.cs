using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace XNovu.Testing.ProductionRun;

/// <summary>What the upgrade run watches in PostgreSQL while it runs: lock waits, connections, index builds.</summary>
public static partial class UpgradeUnderLoad
{
    /// <summary>
    /// Samples, until cancelled, how many of the services' backends wait on a lock in each phase of the load (a
    /// trigger queued behind the migration is one behind another backend), how many connections they hold at most,
    /// and the phases of any index build.
    /// </summary>
    private static async Task<(IReadOnlyDictionary<string, LockWaits> MaxLockWaiters, int PeakConnections, IReadOnlyList<string> BuildPhases)> WatchAsync(
        string owner, TriggerLoad load, CancellationToken token)
    {
        var waiters = new Dictionary<string, LockWaits>();
        var peak = 0;
        var phases = new List<string>();
        var clock = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(owner + ";Pooling=false");
        await connection.OpenAsync(CancellationToken.None);
        await using var sample = new NpgsqlCommand(
            """
            WITH waiting AS (
                SELECT (SELECT max(now() - l.waitstart) FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted) AS waited,
                       (SELECT left(o.query, 200) FROM unnest(pg_blocking_pids(a.pid)) AS b(pid) JOIN pg_stat_activity o ON o.pid = b.pid
                        WHERE o.usename NOT IN ('xnovu_api', 'xnovu_dispatcher') LIMIT 1) AS blocker
                FROM pg_stat_activity a
                WHERE a.backend_type = 'client backend' AND a.usename IN ('xnovu_api', 'xnovu_dispatcher') AND a.wait_event_type = 'Lock')
            SELECT (SELECT count(*) FROM waiting)::int,
                   (SELECT count(*) FROM waiting WHERE blocker IS NOT NULL)::int,
                   (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename IN ('xnovu_api', 'xnovu_dispatcher'))::int,
                   (SELECT string_agg(p.phase, ', ') FROM pg_stat_progress_create_index p),
                   (SELECT coalesce(max(extract(epoch FROM waited) * 1000), 0) FROM waiting WHERE blocker IS NOT NULL)::float8,
                   (SELECT blocker FROM waiting WHERE blocker IS NOT NULL ORDER BY waited DESC NULLS LAST LIMIT 1)
            """, connection);
        while (!token.IsCancellationRequested)
        {
            var phase = load.CurrentPhase;
            await using (var reader = await sample.ExecuteReaderAsync(CancellationToken.None))
            {
                await reader.ReadAsync(CancellationToken.None);
                var seen = waiters.GetValueOrDefault(phase) ?? new LockWaits(0, 0);
                var longest = reader.GetDouble(4);
                waiters[phase] = new LockWaits(
                    Math.Max(seen.Any, reader.GetInt32(0)),
                    Math.Max(seen.BehindOthers, reader.GetInt32(1)),
                    Math.Max(seen.LongestBehindOthersMs, longest),
                    longest > seen.LongestBehindOthersMs && !reader.IsDBNull(5) ? reader.GetString(5) : seen.Blocker);
                peak = Math.Max(peak, reader.GetInt32(2));
                var build = reader.IsDBNull(3) ? "none" : reader.GetString(3);
                if (phases.Count == 0 ? build != "none" : !phases[^1].EndsWith(build, StringComparison.Ordinal))
                {
                    phases.Add($"{clock.Elapsed.TotalSeconds:0.0} s: {build}");
                }
            }

            try
            {
                await Task.Delay(100, token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (waiters, peak, phases);
    }
}
