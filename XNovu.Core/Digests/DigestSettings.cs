using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cronos;

namespace XNovu.Core.Digests;

/// <summary>A window's length in Novu's terms: an amount of a unit (<c>seconds</c>, <c>minutes</c>, <c>hours</c>, <c>days</c>, <c>weeks</c>).</summary>
public sealed record DigestWindow(int? Amount, string? Unit)
{
    /// <summary>
    /// The length in seconds, in floating point: a hostile amount (<c>int.MaxValue</c> weeks) neither wraps around
    /// (as <c>7 * amount</c> in <c>int</c> did, into a negative window that passed the check) nor throws.
    /// </summary>
    public double Seconds => (double)(Amount ?? 0) * (Unit switch
    {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        "days" => 86400,
        "weeks" => 7 * 86400,
        _ => 0,
    });

    /// <summary>The length; a window too long for a <see cref="TimeSpan"/> is <see cref="TimeSpan.MaxValue"/> (validation refuses it first).</summary>
    public TimeSpan Length => Seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(Seconds);
}

/// <summary>
/// A workflow's digest, in the shape of Novu's digest step controls: <c>regular</c> (a window of <c>amount</c>
/// <c>unit</c>, with an optional <c>lookBackWindow</c>: when nothing similar came within it, the event is sent at
/// once) or <c>timed</c> (the next time of <c>cron</c> in the subscriber's time zone). <c>digestKey</c> is a payload
/// path (<c>issue.id</c>; a leading <c>payload.</c> is allowed) that splits a subscriber's events into separate
/// digests; <c>maxEvents</c> caps one digest (a full bucket is sent at once).
/// </summary>
public sealed record DigestSettings(
    string? Type,
    int? Amount,
    string? Unit,
    DigestWindow? LookBackWindow,
    string? Cron,
    string? DigestKey,
    int? MaxEvents)
{
    public const int DefaultMaxEvents = 100;
    public const int MaxMaxEvents = 1000;
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(31);
    public static readonly IReadOnlyList<string> Units = ["seconds", "minutes", "hours", "days", "weeks"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    [JsonIgnore]
    public int EventLimit => MaxEvents ?? DefaultMaxEvents;

    [JsonIgnore]
    public bool IsTimed => Type == "timed";

    /// <summary>Every rule a digest setting must keep, by field; empty when it keeps them all.</summary>
    public IReadOnlyList<(string Field, string Message)> Problems()
    {
        var problems = new List<(string, string)>();
        if (Type is not ("regular" or "timed"))
        {
            problems.Add(("type", "must be regular or timed."));
            return problems;
        }

        if (IsTimed)
        {
            if (string.IsNullOrWhiteSpace(Cron) || Cron.Any(char.IsControl) || !TryParseCron(Cron, out _))
            {
                problems.Add(("cron", "must be a CRON expression of five fields (minute hour day month weekday)."));
            }
        }
        else
        {
            CheckWindow(new DigestWindow(Amount, Unit), "", problems);
            if (LookBackWindow is { } lookBack)
            {
                CheckWindow(lookBack, "lookBackWindow.", problems);
            }
        }

        // Control characters (NUL above all, which PostgreSQL's jsonb cannot store) are never part of a path.
        if (DigestKey is { } key && (key.Length is 0 or > 200 || key.Any(char.IsControl) || NovuPath(key).Split('.').Any(part => part.Length == 0)))
        {
            problems.Add(("digestKey", "must be a payload path such as issue.id (at most 200 characters)."));
        }

        if (MaxEvents is < 1 or > MaxMaxEvents)
        {
            problems.Add(("maxEvents", $"must be between 1 and {MaxMaxEvents}."));
        }

        return problems;
    }

    /// <summary>When a bucket opened at <paramref name="now"/> is sent: the end of the window, or the CRON's next time in the subscriber's zone.</summary>
    public DateTimeOffset FlushAt(DateTimeOffset now, string? subscriberTimeZone)
    {
        if (!IsTimed)
        {
            return now + new DigestWindow(Amount, Unit).Length;
        }

        var zone = TimeZoneInfo.Utc;
        if (subscriberTimeZone is { Length: > 0 } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found))
        {
            zone = found;
        }

        return TryParseCron(Cron, out var cron) && cron!.GetNextOccurrence(now, zone) is { } next ? next : now;
    }

    /// <summary>The look-back window in seconds, 0 when there is none.</summary>
    public double LookBackSeconds => IsTimed || LookBackWindow is null ? 0 : LookBackWindow.Length.TotalSeconds;

    /// <summary>
    /// The digest key's value in a payload: text as it is, any other value as its JSON; '' when there is no key or
    /// the payload lacks it (those events share one digest per subscriber).
    /// </summary>
    public string KeyValue(JsonElement payload)
    {
        if (DigestKey is not { Length: > 0 } key)
        {
            return string.Empty;
        }

        var current = payload;
        foreach (var part in NovuPath(key).Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return string.Empty;
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString()!,
            JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
            _ => current.GetRawText(),
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DigestSettings? FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<DigestSettings>(json, Json);

    /// <summary>Novu writes the key as a path under <c>payload</c>; both spellings mean the same field.</summary>
    private static string NovuPath(string key) => key.StartsWith("payload.", StringComparison.Ordinal) ? key["payload.".Length..] : key;

    private static bool TryParseCron(string? text, out CronExpression? cron)
    {
        cron = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        try
        {
            cron = CronExpression.Parse(text, CronFormat.Standard);
            return true;
        }
        catch (CronFormatException)
        {
            return false;
        }
    }

    private static void CheckWindow(DigestWindow window, string prefix, List<(string, string)> problems)
    {
        if (window.Unit is null || !Units.Contains(window.Unit))
        {
            problems.Add(($"{prefix}unit", $"must be one of {string.Join(", ", Units)}."));
        }
        else if (window.Amount is not > 0 || window.Seconds > MaxWindow.TotalSeconds)
        {
            problems.Add(($"{prefix}amount", string.Create(CultureInfo.InvariantCulture, $"must be positive, and the window at most {MaxWindow.TotalDays} days.")));
        }
    }
}
