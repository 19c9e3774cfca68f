using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace XNovu.Benchmarks;

/// <summary>One row of the closing table.</summary>
public sealed record ScenarioRow(string Scenario, string XNovu, string Baseline, double? Ratio, string Target, bool? Met);

/// <summary>The closing table and the machine it ran on.</summary>
public static class Report
{
    public static string Rate(double perSecond, string unit) => $"{perSecond.ToString("N0", CultureInfo.InvariantCulture)} {unit}";

    public static string Ms(double milliseconds) => $"{milliseconds.ToString("N1", CultureInfo.InvariantCulture)} ms";

    public static void Section(string title)
    {
        Console.WriteLine();
        Console.WriteLine($"== {title}");
    }

    public static void Line(string text) => Console.WriteLine($"   {text}");

    public static string Table(IReadOnlyList<ScenarioRow> rows)
    {
        string[] header = ["scenario", "XNovu", "baseline (same run)", "ratio", "target", ""];
        var cells = rows.Select(r => new[]
        {
            r.Scenario,
            r.XNovu,
            r.Baseline,
            r.Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "-",
            r.Target,
            r.Met switch { true => "met", false => "MISSED", null => string.Empty },
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        var text = new StringBuilder();
        void Row(string[] values) => text.AppendLine("| " + string.Join(" | ", values.Select((v, i) => v.PadRight(widths[i]))) + " |");
        Row(header);
        Row(widths.Select(w => new string('-', w)).ToArray());
        foreach (var row in cells)
        {
            Row(row);
        }

        return text.ToString();
    }

    public static IReadOnlyList<(string Name, string Value)> Machine(string postgresVersion, string pgbench) =>
    [
        ("date (UTC)", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)),
        ("nproc", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)),
        ("cpu", CpuModel()),
        ("memory", Memory()),
        ("uname -r", ReadFirstLine("/proc/sys/kernel/osrelease") ?? RuntimeInformation.OSDescription),
        ("os", RuntimeInformation.OSDescription),
        (".NET", RuntimeInformation.FrameworkDescription),
        ("PostgreSQL", postgresVersion),
        ("pgbench", pgbench),
    ];

    private static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : RuntimeInformation.ProcessArchitecture.ToString();

    private static string Memory()
    {
        var line = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            : null;
        if (line is null || !long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture, out var kilobytes))
        {
            return "unknown";
        }

        return $"{(kilobytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture)} GiB";
    }

    /// <summary>The 1-minute load average (<c>/proc/loadavg</c>), printed beside each figure: on a shared machine it says how much to trust it.</summary>
    public static string LoadAverage() => ReadFirstLine("/proc/loadavg")?.Split(' ')[0] ?? "?";

    private static string? ReadFirstLine(string path) => File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
}
