using System.Text.Json.Nodes;

namespace XNovu.NovuEmulator.Workflows;

/// <summary>
/// A step's <c>variables</c>: the JSON schema of what its templates may name, as Novu answers it on every step
/// (<c>subscriber</c>'s fields, the workflow's <c>payload</c> schema or any object, and the earlier steps' results
/// under <c>steps</c>, a digest's being <c>events</c> and <c>eventCount</c>).
/// </summary>
public static class StepVariables
{
    private static readonly string[] SubscriberFields = ["subscriberId", "firstName", "lastName", "email", "phone", "avatar", "locale", "timezone"];

    public static JsonObject Schema(JsonNode? payloadSchema, IReadOnlyList<StepDto> earlierSteps) => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["subscriber"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject(SubscriberFields
                    .Select(f => KeyValuePair.Create(f, (JsonNode?)new JsonObject { ["type"] = "string" }))
                    .Append(KeyValuePair.Create("data", (JsonNode?)new JsonObject { ["type"] = "object", ["additionalProperties"] = true }))),
                ["required"] = new JsonArray("subscriberId"),
                ["additionalProperties"] = false,
            },
            ["payload"] = payloadSchema is JsonObject schema
                ? schema.DeepClone()
                : new JsonObject { ["type"] = "object", ["additionalProperties"] = true },
            ["steps"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject(earlierSteps.Select(s => KeyValuePair.Create(s.StepId, (JsonNode?)StepResult(s.Type)))),
                ["additionalProperties"] = false,
            },
        },
        ["additionalProperties"] = false,
    };

    private static JsonObject StepResult(string type) => type == "digest"
        ? new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["events"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" } },
                ["eventCount"] = new JsonObject { ["type"] = "number" },
            },
        }
        : new JsonObject { ["type"] = "object", ["additionalProperties"] = true };
}
