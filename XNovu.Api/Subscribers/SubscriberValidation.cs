using System.Text;
using System.Text.Json;
using XNovu.Api.Http;

namespace XNovu.Api.Subscribers;

/// <summary>
/// The profile rules: a subscriber id of 1 to 255 characters, text fields of bounded length, data a JSON
/// object of bounded size, and no NUL character anywhere (PostgreSQL cannot store one; refusing it here
/// answers 400 naming the field instead of failing the write).
/// </summary>
/// <remarks>
/// The trigger's recipient objects carry the same fields; when the recipient rule set of the core covers
/// lengths and NULs for both, this class becomes a call to it.
/// </remarks>
internal static class SubscriberValidation
{
    public const int MaxSubscriberIdLength = 255;
    public const int MaxTextLength = 1000;
    public const int MaxDataBytes = 64 * 1024;

    /// <summary>
    /// Adds to <paramref name="malformed"/> (400: NUL characters, wrong types) and <paramref name="invalid"/>
    /// (422: lengths, missing id) every problem of <paramref name="body"/>, each named under <paramref name="prefix"/>.
    /// </summary>
    public static void Check(SubscriberBody body, string prefix, bool requireId, ValidationErrors malformed, ValidationErrors invalid)
    {
        if (body.SubscriberId is null or { Length: 0 } || string.IsNullOrWhiteSpace(body.SubscriberId))
        {
            if (requireId)
            {
                invalid.Add(prefix + "subscriberId", "is required: a non-empty subscriber id.");
            }
        }
        else
        {
            Text(body.SubscriberId, prefix + "subscriberId", MaxSubscriberIdLength, malformed, invalid);
        }

        Text(body.Email, prefix + "email", MaxTextLength, malformed, invalid);
        Text(body.Phone, prefix + "phone", MaxTextLength, malformed, invalid);
        Text(body.FirstName, prefix + "firstName", MaxTextLength, malformed, invalid);
        Text(body.LastName, prefix + "lastName", MaxTextLength, malformed, invalid);
        Text(body.Locale, prefix + "locale", MaxTextLength, malformed, invalid);
        Text(body.Timezone, prefix + "timezone", MaxTextLength, malformed, invalid);
        Text(body.Avatar, prefix + "avatar", MaxTextLength, malformed, invalid);
        if (body.Timezone is { Length: > 0 } zone && !zone.Contains('\0', StringComparison.Ordinal)
            && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            invalid.Add(prefix + "timezone", "must be an IANA time zone such as Europe/Paris.");
        }

        if (body.Data is { } data && data.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            var raw = data.GetRawText();
            if (data.ValueKind != JsonValueKind.Object)
            {
                malformed.Add(prefix + "data", "must be a JSON object.");
            }
            else if (raw.Contains("\\u0000", StringComparison.OrdinalIgnoreCase))
            {
                malformed.Add(prefix + "data", "must not contain a NUL character (\\u0000).");
            }
            else if (Encoding.UTF8.GetByteCount(raw) > MaxDataBytes)
            {
                invalid.Add(prefix + "data", $"must be at most {MaxDataBytes / 1024} KB as JSON.");
            }
        }
    }

    /// <summary>One problem answer: 400 when anything is malformed, else 422, else none.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Problem(ValidationErrors malformed, ValidationErrors invalid) =>
        malformed.Any ? Problems.Malformed("The subscriber is malformed.", malformed.ToDictionary())
        : invalid.Any ? invalid.ToProblem()
        : null;

    public static bool IsValidId(string? subscriberId) =>
        !string.IsNullOrWhiteSpace(subscriberId) && subscriberId.Length <= MaxSubscriberIdLength && !subscriberId.Contains('\0', StringComparison.Ordinal);

    private static void Text(string? value, string field, int maxLength, ValidationErrors malformed, ValidationErrors invalid)
    {
        if (value is null)
        {
            return;
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            malformed.Add(field, "must not contain a NUL character.");
        }
        else if (value.Length > maxLength)
        {
            invalid.Add(field, $"must be at most {maxLength} characters.");
        }
    }
}
