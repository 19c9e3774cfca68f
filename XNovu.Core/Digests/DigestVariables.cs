using System.Text.Json;

namespace XNovu.Core.Digests;

/// <summary>
/// What a digest's templates see as <c>digest</c>: <c>{"events":[{"id","time","payload"}],"eventCount":n}</c>. The
/// dispatcher's come from the bucket's events (<c>notify.digest_step</c>); a preview's from sample payloads.
/// </summary>
public static class DigestVariables
{
    /// <summary>At most this many sample events in a preview.</summary>
    public const int MaxSampleEvents = 20;

    public static JsonElement From(JsonElement events, int eventCount) =>
        JsonSerializer.SerializeToElement(new { events, eventCount });

    /// <summary>Sample payloads as a digest's events, a minute apart and ending at <paramref name="now"/>.</summary>
    public static JsonElement Sample(IReadOnlyList<JsonElement> payloads, DateTimeOffset now) =>
        From(JsonSerializer.SerializeToElement(payloads.Select((payload, i) => new
        {
            id = $"sample-{i + 1}",
            time = now.AddMinutes(i - payloads.Count + 1).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            payload,
        })), payloads.Count);

    /// <summary>Null when <paramref name="given"/> is an array of 1 to <see cref="MaxSampleEvents"/> objects; otherwise why not.</summary>
    public static string? SampleProblem(JsonElement given) =>
        given.ValueKind != JsonValueKind.Array || given.GetArrayLength() is 0 or > MaxSampleEvents
            ? $"must be an array of 1 to {MaxSampleEvents} sample payloads."
            : given.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Object) ? "must hold payload objects only." : null;
}
