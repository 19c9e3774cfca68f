using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using XNovu.Core.Telemetry;

namespace XNovu.Api.Operations;

/// <summary>
/// Publishes the backlog as gauges on the XNovu meter (<c>xnovu_backlog_pending</c>,
/// <c>xnovu_backlog_oldest_pending_age_seconds</c> in Prometheus text), read from the database at most once
/// per <see cref="OperationsOptions.BacklogRefreshInterval"/>. Until the first reading nothing is reported,
/// rather than a reassuring zero.
/// </summary>
public sealed partial class BacklogMonitor : BackgroundService
{
    private readonly OperationsStore _store;
    private readonly IOptions<OperationsOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BacklogMonitor> _logger;
    private volatile BacklogMetrics? _last;

    public BacklogMonitor(OperationsStore store, IOptions<OperationsOptions> options, TimeProvider time, IMeterFactory meters, ILogger<BacklogMonitor> logger)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        var meter = meters.Create(XNovuTelemetry.Name);
        meter.CreateObservableGauge("xnovu.backlog.pending", () => Observe(b => b.Pending), "{delivery}", "Deliveries waiting to be sent");
        meter.CreateObservableGauge("xnovu.backlog.oldest_pending_age", () => Observe(b => b.OldestPendingAgeSeconds), "s", "How long the oldest due delivery has waited");
    }

    public BacklogMetrics? Last => _last;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Value.BacklogRefreshInterval, _time);
        do
        {
            try
            {
                _last = await _store.BacklogAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever failed (most likely the database is down, which /api/health reports), a gauge must
                // not stop the API: the gauges go quiet rather than lie, and the next tick tries again.
                _last = null;
                LogReadFailed(_logger, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<BacklogMetrics, T> value)
        where T : struct =>
        _last is { } last ? [new Measurement<T>(value(last))] : [];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backlog gauges could not read the database ({Error})")]
    private static partial void LogReadFailed(ILogger logger, string error);
}
