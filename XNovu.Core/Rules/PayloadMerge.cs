using System.Text.Json.Nodes;

namespace XNovu.Core.Rules;

/// <summary>How an event's payload meets its rule's payload: merged deeply, the event winning on conflicts.</summary>
public static class PayloadMerge
{
    /// <summary>A new object: <paramref name="rule"/> overlaid with <paramref name="event"/>; neither is changed.</summary>
    public static JsonObject Merge(JsonObject? rule, JsonObject? @event)
    {
        var result = rule?.DeepClone().AsObject() ?? new JsonObject();
        if (@event is null)
        {
            return result;
        }

        foreach (var (name, value) in @event)
        {
            result[name] = value is JsonObject eventObject && result[name] is JsonObject ruleObject
                ? Merge(ruleObject, eventObject)
                : value?.DeepClone();
        }

        return result;
    }
}
