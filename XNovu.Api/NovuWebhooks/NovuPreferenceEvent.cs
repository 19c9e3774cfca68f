using System.Globalization;
using System.Text.Json;

namespace XNovu.Api.NovuWebhooks;

/// <summary>
/// Novu's <c>preference.updated</c> webhook: <c>{type, object: "preference", data: {object: {level: "global" |
/// "template", enabled, channels: {email, sms, in_app, chat, push}, workflow?: {id, identifier, name, ...}},
/// subscriberId}, timestamp}</c> (Novu's <c>WebhookPreferenceDto</c>; the subscriber id is under <c>data</c>, or
/// under <c>data.object</c> in Novu's newer external-preference writes). <see cref="WorkflowIdentifier"/> is null for
/// the global level.
/// </summary>
public sealed record NovuPreferenceEvent(
    string NovuSubscriberId, string? WorkflowIdentifier, IReadOnlyDictionary<string, bool> Channels, DateTimeOffset OccurredAt)
{
    public const string Type = "preference.updated";

    public bool IsGlobal => WorkflowIdentifier is null;

    /// <summary>The event, or null with why when the body is not a preference webhook XNovu can read.</summary>
    public static NovuPreferenceEvent? Read(ReadOnlySpan<byte> body, DateTimeOffset receivedAt, out string? problem)
    {
        problem = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
                || !data.TryGetProperty("object", out var preference) || preference.ValueKind != JsonValueKind.Object)
            {
                problem = "A preference webhook carries its preference in data.object.";
                return null;
            }

            var subscriber = Text(data, "subscriberId") ?? Text(preference, "subscriberId");
            if (subscriber is null)
            {
                problem = "A preference webhook names its subscriber in data.subscriberId.";
                return null;
            }

            string? workflow = null;
            if (Text(preference, "level") == "template")
            {
                workflow = preference.TryGetProperty("workflow", out var w) && w.ValueKind == JsonValueKind.Object ? Text(w, "identifier") : null;
                if (workflow is null)
                {
                    problem = "A workflow-level preference names its workflow in data.object.workflow.identifier.";
                    return null;
                }
            }

            var channels = new Dictionary<string, bool>(StringComparer.Ordinal);
            if (preference.TryGetProperty("channels", out var given) && given.ValueKind == JsonValueKind.Object)
            {
                foreach (var channel in given.EnumerateObject())
                {
                    if (channel.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        channels[channel.Name] = channel.Value.GetBoolean();
                    }
                }
            }

            var occurredAt = Text(root, "timestamp") is { } text
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
                    ? at
                    : receivedAt;
            // A clock ahead of ours must not make a report outrank XNovu's writes made after it arrived.
            return new NovuPreferenceEvent(subscriber, workflow, channels, occurredAt > receivedAt ? receivedAt : occurredAt);
        }
        catch (JsonException)
        {
            problem = "The body is not JSON.";
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
