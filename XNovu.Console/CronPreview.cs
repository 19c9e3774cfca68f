using Cronos;

namespace XNovu.Console;

/// <summary>
/// The next fire times of a CRON rule, in its own time zone, computed with Cronos as the rule engine does (5 fields,
/// or 6 with seconds first), so what the author reads is what the engine will do, daylight-saving shifts included.
/// </summary>
public static class CronPreview
{
    public static IReadOnlyList<DateTimeOffset> Next(string cron, string timeZone, DateTimeOffset from, int count, out string? error)
    {
        error = null;
        var expression = cron.Trim();
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            error = $"A cron expression has 5 fields (minute hour day month weekday) or 6 (seconds first); this one has {fields}.";
            return [];
        }

        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrWhiteSpace(timeZone) ? "UTC" : timeZone.Trim());
        }
        catch (TimeZoneNotFoundException)
        {
            error = $"'{timeZone}' is not a known IANA time zone (for example Europe/Paris or UTC).";
            return [];
        }

        try
        {
            var parsed = CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return parsed.GetOccurrences(from, from.AddYears(5), zone, fromInclusive: false).Take(count).ToList();
        }
        catch (CronFormatException ex)
        {
            error = $"Not a valid cron expression: {ex.Message}";
            return [];
        }
    }
}
