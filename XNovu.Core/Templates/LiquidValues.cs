using System.Text.Json;
using System.Text.Json.Nodes;
using DotLiquid;

namespace XNovu.Core.Templates;

/// <summary>
/// JSON to the values DotLiquid understands: objects become <see cref="Hash"/>, arrays lists, numbers int,
/// long or decimal (double only beyond decimal's range), and strings stay raw: escaping happens when a value
/// is output, not here.
/// </summary>
public static class LiquidValues
{
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ObjectFromJson(element),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => NumberFromJson(element),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject map => ObjectFromJson(map),
        JsonArray items => items.Select(FromJson).ToList(),
        JsonValue value when value.TryGetValue(out JsonElement element) => FromJson(element),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<object>().ToString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => NumberFromJson(value),
            _ => null,
        },
        _ => null,
    };

    internal static Hash Subscriber(SubscriberVariables subscriber) => new()
    {
        ["subscriberId"] = subscriber.SubscriberId,
        ["email"] = subscriber.Email,
        ["phone"] = subscriber.Phone,
        ["firstName"] = subscriber.FirstName,
        ["lastName"] = subscriber.LastName,
        ["locale"] = subscriber.Locale,
        ["timezone"] = subscriber.Timezone,
        ["avatar"] = subscriber.Avatar,
        ["data"] = subscriber.Data is { } data ? FromJson(data) : new Hash(),
    };

    internal static Hash Enterprise(EnterpriseVariables? enterprise, Guid? enterpriseId) => new()
    {
        ["id"] = (enterprise?.Id ?? enterpriseId)?.ToString(),
        ["name"] = enterprise?.Name,
    };

    private static Hash ObjectFromJson(JsonElement element)
    {
        var hash = new Hash();
        foreach (var property in element.EnumerateObject())
        {
            hash[property.Name] = FromJson(property.Value);
        }

        return hash;
    }

    private static Hash ObjectFromJson(JsonObject map)
    {
        var hash = new Hash();
        foreach (var (name, value) in map)
        {
            hash[name] = FromJson(value);
        }

        return hash;
    }

    private static object? NumberFromJson(JsonValue value)
    {
        using var document = JsonDocument.Parse(value.ToJsonString());
        return FromJson(document.RootElement);
    }

    private static object NumberFromJson(JsonElement element)
    {
        if (element.TryGetInt32(out var small))
        {
            return small;
        }

        if (element.TryGetInt64(out var large))
        {
            return large;
        }

        return element.TryGetDecimal(out var exact) ? exact : element.GetDouble();
    }
}
