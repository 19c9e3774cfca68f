using System.Globalization;
using System.Text.Json;
using Cronos;

namespace XNovu.Core.Rules;

/// <summary>What a rule does with ticks missed while no engine ran.</summary>
public enum MisfirePolicy
{
    /// <summary>Fire once on catch-up, for the latest missed tick (the default, as in Quartz's "fire once now").</summary>
    FireOnce,

    /// <summary>Drop the missed ticks and wait for the next one.</summary>
    Skip,
}

/// <summary>
/// A rule's trigger as the rule engine reads it from <c>trigger_type</c> and <c>trigger_config</c> (which the
/// management API stored with its defaults filled in): a cron schedule in a time zone, one instant, or an
/// event name.
/// </summary>
public sealed class RuleTrigger
{
    public const string CronType = "CRON";
    public const string ScheduleType = "SCHEDULE";
    public const string EventType = "EVENT";

    private RuleTrigger(string type, CronExpression? cron, string? cronText, TimeZoneInfo timeZone, DateTimeOffset? at,
        string? eventName, MisfirePolicy misfire, bool enabled)
    {
        Type = type;
        Cron = cron;
        CronText = cronText;
        TimeZone = timeZone;
        At = at;
        EventName = eventName;
        Misfire = misfire;
        Enabled = enabled;
    }

    public string Type { get; }
    public CronExpression? Cron { get; }
    public string? CronText { get; }
    public TimeZoneInfo TimeZone { get; }
    public DateTimeOffset? At { get; }
    public string? EventName { get; }
    public MisfirePolicy Misfire { get; }
    public bool Enabled { get; }

    /// <summary>Fired by the clock (CRON, SCHEDULE), not by an event.</summary>
    public bool IsTimed => Type is CronType or ScheduleType;

    /// <summary>5 fields (minutes first) or 6 (seconds first).</summary>
    public static CronExpression ParseCron(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CronExpression.Parse(expression.Trim(), fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
    }

    public static RuleTrigger ForCron(string expression, string timeZone = "UTC", MisfirePolicy misfire = MisfirePolicy.FireOnce, bool enabled = true) =>
        new(CronType, ParseCron(expression), expression.Trim(), TimeZoneInfo.FindSystemTimeZoneById(timeZone), null, null, misfire, enabled);

    public static RuleTrigger ForSchedule(DateTimeOffset at, MisfirePolicy misfire = MisfirePolicy.FireOnce) =>
        new(ScheduleType, null, null, TimeZoneInfo.Utc, at.ToUniversalTime(), null, misfire, true);

    public static RuleTrigger ForEvent(string eventName) =>
        new(EventType, null, null, TimeZoneInfo.Utc, null, eventName, MisfirePolicy.FireOnce, true);

    /// <summary>Reads a stored trigger; a configuration the engine cannot use throws <see cref="FormatException"/>.</summary>
    public static RuleTrigger Parse(string triggerType, string triggerConfigJson)
    {
        using var document = JsonDocument.Parse(triggerConfigJson);
        var config = document.RootElement;
        if (config.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("trigger_config is not an object.");
        }

        var misfire = Text(config, "misfirePolicy") switch
        {
            null or "fireOnce" => MisfirePolicy.FireOnce,
            "skip" => MisfirePolicy.Skip,
            var other => throw new FormatException($"Unknown misfire policy '{other}'."),
        };
        var enabled = !config.TryGetProperty("enabled", out var flag) || flag.ValueKind != JsonValueKind.False;

        try
        {
            return triggerType switch
            {
                CronType => ForCron(
                    Text(config, "cron") ?? throw new FormatException("A CRON rule has no cron expression."),
                    Text(config, "timezone") ?? "UTC", misfire, enabled),
                ScheduleType => ForSchedule(
                    DateTimeOffset.Parse(Text(config, "at") ?? throw new FormatException("A SCHEDULE rule has no 'at'."),
                        CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                    misfire),
                EventType => ForEvent(Text(config, "eventName") ?? throw new FormatException("An EVENT rule has no eventName.")),
                _ => throw new FormatException($"Unknown trigger type '{triggerType}'."),
            };
        }
        catch (Exception e) when (e is CronFormatException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>The first tick strictly after <paramref name="instant"/>, or null when there is none.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset instant) => Type switch
    {
        CronType => Cron!.GetNextOccurrence(instant, TimeZone),
        ScheduleType => At > instant ? At : null,
        _ => null,
    };

    /// <summary>The ticks in (<paramref name="after"/>, <paramref name="through"/>], oldest first.</summary>
    public IEnumerable<DateTimeOffset> Between(DateTimeOffset after, DateTimeOffset through)
    {
        if (through <= after)
        {
            return [];
        }

        return Type switch
        {
            CronType => Cron!.GetOccurrences(after, through, TimeZone, fromInclusive: false, toInclusive: true),
            ScheduleType when At > after && At <= through => [At.Value],
            _ => [],
        };
    }

    /// <summary>
    /// The latest tick in (<paramref name="after"/>, <paramref name="through"/>], found by looking back in widening
    /// windows, so that a dense schedule missed for months is not enumerated tick by tick.
    /// </summary>
    public DateTimeOffset? LatestBetween(DateTimeOffset after, DateTimeOffset through)
    {
        var window = TimeSpan.FromMinutes(1);
        while (true)
        {
            var from = window >= through - after ? after : through - window;
            DateTimeOffset? latest = null;
            foreach (var tick in Between(from, through))
            {
                latest = tick;
            }

            if (latest is not null || from == after)
            {
                return latest;
            }

            window *= 8;
        }
    }

    private static string? Text(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
