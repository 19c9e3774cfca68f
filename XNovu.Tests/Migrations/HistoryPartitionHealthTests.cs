using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using XNovu.Core.History;
using XNovu.Core.Persistence;
using XNovu.Dispatcher.Retention;
using XNovu.MigrationService;

namespace XNovu.Tests.Migrations;

/// <summary>
/// Issue 32: the history has no default partition, so health says how many days of partitions exist ahead of today:
/// degraded when fewer than two, unhealthy when they end within hours (or none is there for today), and healthy
/// again once the dispatchers' retention pass has made them. Read on a database of its own, whose future partitions
/// the test drops as the owner, at instants of today set on the clock.
/// </summary>
public sealed class HistoryPartitionHealthTests(ScratchPostgres postgres) : IClassFixture<ScratchPostgres>
{
    [Fact]
    public async Task Health_reports_the_days_of_partitions_ahead_and_the_retention_pass_restores_them()
    {
        var connectionString = postgres.ConnectionString("history_health");
        await new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).MigrateAsync(connectionString, new Dictionary<string, string>(), CancellationToken.None);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var clock = new FakeTimeProvider(new DateTimeOffset(today.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero));
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var database = new XNovuDatabase(dataSource);
        // A reading is kept an hour: the test forgets it after each drop, and the pass must forget it itself.
        var settings = Options.Create(new HistoryHealthOptions { CacheDuration = TimeSpan.FromHours(1) });
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var watch = new HistoryPartitionWatch(database, clock, settings, meters);
        var check = new HistoryPartitionsHealthCheck(watch, settings, clock);

        async Task<HealthCheckResult> CheckAsync() => await check.CheckHealthAsync(new HealthCheckContext());

        // The migration made a week ahead, as a pass does.
        await RunRetentionPassAsync(database, watch, clock);
        var fresh = await CheckAsync();
        Assert.Equal(HealthStatus.Healthy, fresh.Status);
        Assert.StartsWith("7 day(s) of history partitions ahead", fresh.Description, StringComparison.Ordinal);

        // Only tomorrow left ahead: degraded, with the figure, and the gauge says 1.
        await DropDaysAsync(connectionString, today.AddDays(2), today.AddDays(7));
        watch.Forget();
        var short1 = await CheckAsync();
        Assert.Equal(HealthStatus.Degraded, short1.Status);
        Assert.StartsWith("1 day(s) of history partitions ahead", short1.Description, StringComparison.Ordinal);
        Assert.Equal(1, short1.Data["daysAhead"]);
        Assert.Equal(1, GaugeValue(meters));

        // Nothing after today: degraded at noon, unhealthy from 18:00 (the partitions end within six hours).
        await DropDaysAsync(connectionString, today.AddDays(1), today.AddDays(1));
        watch.Forget();
        Assert.Equal(HealthStatus.Degraded, (await CheckAsync()).Status);
        clock.SetUtcNow(new DateTimeOffset(today.ToDateTime(new TimeOnly(20, 0)), TimeSpan.Zero));
        var closing = await CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, closing.Status);
        Assert.StartsWith("0 day(s) of history partitions ahead", closing.Description, StringComparison.Ordinal);
        Assert.Contains($"refused from {today.AddDays(1):yyyy-MM-dd} 00:00 UTC", closing.Description, StringComparison.Ordinal);

        // Past midnight with no partition for the new day: unhealthy, and the gauge says -1.
        clock.SetUtcNow(new DateTimeOffset(today.AddDays(1).ToDateTime(new TimeOnly(0, 30)), TimeSpan.Zero));
        var none = await CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, none.Status);
        Assert.Contains("no history partition for today", none.Description, StringComparison.Ordinal);
        Assert.Equal(-1, GaugeValue(meters));

        // The retention pass makes the week ahead again and health sees it at once (the reading is forgotten).
        await RunRetentionPassAsync(database, watch, clock);
        var restored = await CheckAsync();
        Assert.Equal(HealthStatus.Healthy, restored.Status);
        Assert.StartsWith("7 day(s) of history partitions ahead", restored.Description, StringComparison.Ordinal);
        Assert.Equal(7, GaugeValue(meters));
    }

    /// <summary>One pass of the dispatchers' retention job (it runs at start), waited for through the partitions it makes.</summary>
    private static async Task RunRetentionPassAsync(XNovuDatabase database, HistoryPartitionWatch watch, FakeTimeProvider clock)
    {
        var before = await watch.ReadAsync(CancellationToken.None);
        var worker = new RetentionWorker(database, Options.Create(new RetentionOptions()), watch, clock, NullLogger<RetentionWorker>.Instance);
        await worker.StartAsync(CancellationToken.None);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            // Until the pass has made its days and forgotten the old reading (the same object is returned until then).
            while (ReferenceEquals(before, await watch.ReadAsync(CancellationToken.None))
                   || (await watch.ReadAsync(CancellationToken.None)).DaysAhead(clock.GetUtcNow()) < new RetentionOptions().PartitionsAhead)
            {
                Assert.True(DateTime.UtcNow < deadline, "the retention pass made no partitions within 60 s");
                await Task.Delay(100);
            }
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Drops the three day partitions of every day from <paramref name="from"/> through <paramref name="through"/>, as the owner.</summary>
    private static async Task DropDaysAsync(string connectionString, DateOnly from, DateOnly through)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (var day = from; day <= through; day = day.AddDays(1))
        {
            var suffix = $"p{day:yyyyMMdd}";
            await using var drop = new NpgsqlCommand(
                $"DROP TABLE notify.ent_delivery_event_{suffix}, notify.ent_notification_delivery_{suffix}, notify.ent_notification_{suffix}", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>What <c>xnovu.history.partition_days_ahead</c> reports now, from this test's meters only.</summary>
    private static int? GaugeValue(IMeterFactory meters)
    {
        int? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "xnovu.history.partition_days_ahead" && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }
}
