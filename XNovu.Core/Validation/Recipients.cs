using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XNovu.Core.Validation;

/// <summary>
/// The one rule set for recipients, wherever they are stored: a trigger's <c>to</c>, each event of a bulk
/// trigger, and a rule's <c>rulePayload.recipients</c> (which EVENT, CRON and SCHEDULE rules fire with).
/// A recipient is a non-empty subscriber id, or an object with a <c>subscriberId</c> and Novu's other subscriber
/// fields, each of its own type. Field names match case-insensitively and are stored in Novu's spelling.
/// Unknown fields are refused, naming them, rather than moved into <c>data</c>: a misspelt <c>emial</c> would
/// otherwise be accepted and the e-mail silently lost; a caller who means custom data writes <c>data</c>.
/// </summary>
public static class Recipients
{
    /// <summary>Novu's own limit of recipients per trigger.</summary>
    public const int MaxCount = 100;

    private enum Kind
    {
        Text,
        Object,
        Array,
    }

    private static readonly FrozenDictionary<string, (string Name, Kind Kind)> Fields = new (string Name, Kind Kind)[]
    {
        ("subscriberId", Kind.Text),
        ("email", Kind.Text),
        ("phone", Kind.Text),
        ("firstName", Kind.Text),
        ("lastName", Kind.Text),
        ("locale", Kind.Text),
        ("timezone", Kind.Text),
        ("avatar", Kind.Text),
        ("data", Kind.Object),
        ("channels", Kind.Array),
    }.ToFrozenDictionary(field => field.Name, StringComparer.OrdinalIgnoreCase);

    public static string KnownFields { get; } = string.Join(", ", Fields.Values.Select(field => field.Name));

    /// <summary>
    /// A list of <paramref name="minCount"/> to <paramref name="maxCount"/> recipients as it is stored, or null
    /// with every problem added to <paramref name="problems"/>, named under <paramref name="field"/>.
    /// </summary>
    public static JsonArray? List(JsonElement recipients, string field, int minCount, int maxCount, ICollection<TextFault> problems)
    {
        if (recipients.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new TextFault(field, "must be an array of recipients."));
            return null;
        }

        var count = recipients.GetArrayLength();
        if (count < minCount || count > maxCount)
        {
            problems.Add(new TextFault(field, $"must name {minCount} to {maxCount} recipients; it names {count}."));
            return null;
        }

        var before = problems.Count;
        var result = new JsonArray();
        var index = 0;
        foreach (var recipient in recipients.EnumerateArray())
        {
            result.Add(One(recipient, $"{field}[{index++}]", problems));
        }

        return problems.Count == before ? result : null;
    }

    /// <summary>One recipient as it is stored (a string, or an object in Novu's spelling), or null with its problems.</summary>
    public static JsonNode? One(JsonElement recipient, string field, ICollection<TextFault> problems)
    {
        switch (recipient.ValueKind)
        {
            case JsonValueKind.String:
                var id = recipient.GetString();
                return CheckSubscriberId(id, field, problems) ? JsonValue.Create(id) : null;
            case JsonValueKind.Object:
                return Subscriber(recipient, field, problems);
            default:
                problems.Add(new TextFault(field, $"must be a subscriber id or a subscriber object {{{KnownFields}}}."));
                return null;
        }
    }

    private static JsonObject? Subscriber(JsonElement recipient, string field, ICollection<TextFault> problems)
    {
        var before = problems.Count;
        var result = new JsonObject();
        foreach (var property in recipient.EnumerateObject())
        {
            var name = $"{field}.{property.Name}";
            if (!Fields.TryGetValue(property.Name, out var known))
            {
                problems.Add(new TextFault(name, $"is not a subscriber field ({KnownFields}); put custom values in 'data'."));
                continue;
            }

            if (result.ContainsKey(known.Name))
            {
                problems.Add(new TextFault(name, $"is given twice ('{known.Name}' matches case-insensitively)."));
                continue;
            }

            var value = property.Value;
            var ok = (known.Kind, value.ValueKind) switch
            {
                (_, JsonValueKind.Null) => known.Name != "subscriberId",
                (Kind.Text, JsonValueKind.String) => CheckText(value.GetString()!, known.Name, name, problems),
                (Kind.Object, JsonValueKind.Object) => true,
                (Kind.Array, JsonValueKind.Array) => true,
                _ => AddType(known, name, problems),
            };
            if (ok)
            {
                result[known.Name] = JsonNode.Parse(value.GetRawText());
            }
        }

        if (!result.ContainsKey("subscriberId") && problems.Count == before)
        {
            problems.Add(new TextFault($"{field}.subscriberId", "is required: a non-empty subscriber id."));
        }

        return problems.Count == before ? result : null;
    }

    private static bool CheckText(string value, string knownName, string field, ICollection<TextFault> problems)
    {
        if (knownName == "subscriberId")
        {
            return CheckSubscriberId(value, field, problems);
        }

        if (value.Length > FieldLimits.DescriptionChars)
        {
            problems.Add(new TextFault(field, $"must be at most {FieldLimits.DescriptionChars} characters."));
            return false;
        }

        return true;
    }

    private static bool AddType((string Name, Kind Kind) known, string field, ICollection<TextFault> problems)
    {
        problems.Add(new TextFault(field, known switch
        {
            { Name: "subscriberId" } => "must be a non-empty subscriber id.",
            { Kind: Kind.Text } => "must be a string.",
            { Kind: Kind.Object } => "must be a JSON object.",
            _ => "must be an array.",
        }));
        return false;
    }

    private static bool CheckSubscriberId(string? subscriberId, string field, ICollection<TextFault> problems)
    {
        if (string.IsNullOrWhiteSpace(subscriberId))
        {
            problems.Add(new TextFault(field, "must be a non-empty subscriber id."));
            return false;
        }

        if (subscriberId.Length > FieldLimits.IdentifierChars)
        {
            problems.Add(new TextFault(field, $"must be at most {FieldLimits.IdentifierChars} characters."));
            return false;
        }

        return true;
    }
}
