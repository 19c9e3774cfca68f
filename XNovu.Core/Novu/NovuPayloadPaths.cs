using System.Text.Json;
using System.Text.Json.Nodes;

namespace XNovu.Core.Novu;

/// <summary>
/// A workflow's <c>novuPayload</c>: the payload fields it passes on to Novu beside the rendered content, as
/// dotted paths into the payload object (<c>orderId</c>, <c>order.total</c>). None by default: Novu's steps show
/// only what XNovu rendered, so the rest of the payload would only bring the event nearer Novu's 512 KB limit.
/// A path names object properties only (an array is passed on whole); a path the payload lacks is left out.
/// The one place both the rule for a path and the selection live.
/// </summary>
public static class NovuPayloadPaths
{
    public const int MaxPaths = 20;

    public const int MaxPathLength = 200;

    public const string Rule =
        "must be a dotted path of 1 to 200 characters into the payload (letters, digits, '_' and '-' between the dots), not under 'xnovu'.";

    /// <summary>Why <paramref name="path"/> is not a valid path; null when it is.</summary>
    public static string? Problem(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > MaxPathLength)
        {
            return Rule;
        }

        var segments = path.Split('.');
        if (segments[0] == Reserved)
        {
            return $"'{Reserved}' is where XNovu puts the rendered content; pass on another field.";
        }

        return segments.All(s => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) ? null : Rule;
    }

    /// <summary>
    /// The fields of <paramref name="payload"/> that <paramref name="paths"/> name, at their own places
    /// (<c>order.total</c> gives <c>{"order":{"total":..}}</c>). A path under one already taken whole adds nothing.
    /// </summary>
    public static JsonObject Select(JsonElement payload, IReadOnlyList<string> paths)
    {
        var selected = new JsonObject();
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return selected;
        }

        // Shorter paths first, so a whole object taken by one is never split by a longer one under it.
        foreach (var path in paths.OrderBy(p => p.Length))
        {
            var segments = path.Split('.');
            var value = payload;
            var found = true;
            foreach (var segment in segments)
            {
                if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(segment, out value))
                {
                    found = false;
                    break;
                }
            }

            if (found)
            {
                Place(selected, segments, value);
            }
        }

        return selected;
    }

    private const string Reserved = NovuEvents.ReservedPayloadKey;

    private static void Place(JsonObject target, string[] segments, JsonElement value)
    {
        for (var i = 0; i < segments.Length - 1; i++)
        {
            switch (target[segments[i]])
            {
                case JsonObject inner:
                    target = inner;
                    break;
                case null when !target.ContainsKey(segments[i]):
                    var created = new JsonObject();
                    target[segments[i]] = created;
                    target = created;
                    break;
                default:
                    return; // an enclosing value is already passed on whole
            }
        }

        if (!target.ContainsKey(segments[^1]))
        {
            target[segments[^1]] = JsonNode.Parse(value.GetRawText());
        }
    }
}
