namespace XNovu.Tests.Unit.Operations;

/// <summary>The alerts file alone: no app needed.</summary>
public sealed class AlertRulesTests
{
    private static readonly IReadOnlyList<AlertRule> Rules = AlertRules.Parse(File.ReadAllText(AlertRules.FilePath));

    [Fact]
    public void Alerts_file_has_service_down_high_5xx_and_backlog_alerts()
    {
        var names = Rules.Select(r => r.Name).ToList();

        Assert.Equal(["XNovuServiceDown", "XNovuHigh5xxRate", "XNovuBacklogStuck", "XNovuHistoryPartitionsShort"], names);
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Every_alert_has_expr_for_severity_and_summary()
    {
        Assert.All(Rules, rule =>
        {
            Assert.False(string.IsNullOrWhiteSpace(rule.Expr), $"{rule.Name}: expr");
            Assert.Matches(@"^\d+[smh]$", rule.For ?? string.Empty);
            Assert.Contains(rule.Severity, new[] { "critical", "warning", "info" });
            Assert.False(string.IsNullOrWhiteSpace(rule.Summary), $"{rule.Name}: annotations.summary");
        });
    }

    [Fact]
    public void Alert_expressions_say_what_the_issue_asks()
    {
        var byName = Rules.ToDictionary(r => r.Name);

        Assert.Matches(@"^up\{[^}]*\} == 0$", byName["XNovuServiceDown"].Expr!);
        Assert.Contains("http_response_status_code=~\"5..\"", byName["XNovuHigh5xxRate"].Expr!, StringComparison.Ordinal);
        // Pending older than five minutes.
        Assert.EndsWith("> 300", byName["XNovuBacklogStuck"].Expr!, StringComparison.Ordinal);
        // Issue 32: fewer than two days of history partitions ahead.
        Assert.Equal("min(xnovu_history_partition_days_ahead) < 2", byName["XNovuHistoryPartitionsShort"].Expr!);
    }

    [Fact]
    public void Metric_names_are_read_from_expressions_without_functions_labels_or_ranges()
    {
        var names = AlertRules.MetricNames(
            "sum by (job) (rate(http_server_request_duration_seconds_count{job=~\"xnovu-.*\", code=~\"5..\"}[5m])) / max(up) > 0.05");

        Assert.Equal(new HashSet<string> { "http_server_request_duration_seconds_count", "up" }, names);
    }

    [Fact]
    public void Prometheus_config_loads_the_alerts_file()
    {
        var config = File.ReadAllText(Path.Combine(Path.GetDirectoryName(AlertRules.FilePath)!, "prometheus.yml"));

        Assert.Contains("- alerts.yml", config, StringComparison.Ordinal);
    }
}
