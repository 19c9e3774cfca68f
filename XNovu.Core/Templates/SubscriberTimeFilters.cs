using System.Globalization;
using DotLiquid;

namespace XNovu.Core.Templates;

/// <summary>
/// Dates in the recipient's own time: <c>{{ payload.at | local_date: "dddd d MMMM HH:mm" }}</c> converts an
/// instant into <c>subscriber.timezone</c> (an IANA zone from the trigger or the stored profile) and formats
/// it with .NET's date format in <c>subscriber.locale</c>. Without a zone it stays UTC, without a locale
/// the invariant culture is used, and an input that is not a date comes back as given.
/// </summary>
internal static class SubscriberTimeFilters
{
    public const string DefaultFormat = "f";

    public static object? LocalDate(Context context, object? input, string? format = null)
    {
        DateTimeOffset instant;
        switch (input)
        {
            case DateTimeOffset offset:
                instant = offset;
                break;
            case DateTime moment:
                instant = moment.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(moment, TimeSpan.Zero) : new DateTimeOffset(moment);
                break;
            case string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed):
                instant = parsed;
                break;
            default:
                return input;
        }

        if (context["subscriber.timezone"] is string zone && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var timeZone))
        {
            instant = TimeZoneInfo.ConvertTime(instant, timeZone);
        }
        else
        {
            instant = instant.ToUniversalTime();
        }

        return instant.ToString(string.IsNullOrEmpty(format) ? DefaultFormat : format, Culture(context["subscriber.locale"] as string));
    }

    private static CultureInfo Culture(string? locale)
    {
        if (string.IsNullOrWhiteSpace(locale))
        {
            return CultureInfo.InvariantCulture;
        }

        try
        {
            return CultureInfo.GetCultureInfo(locale.Replace('_', '-'), predefinedOnly: true);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.InvariantCulture;
        }
    }
}
