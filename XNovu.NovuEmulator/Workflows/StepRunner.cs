using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace XNovu.NovuEmulator.Workflows;

/// <summary>One channel step of one event, as the emulator ran it: skipped, or delivered with this content.</summary>
public sealed record StepRun(string StepId, string Type, bool Skipped, JsonObject? Content);

/// <summary>
/// Runs a workflow's channel steps for one event as Novu would: a step whose <c>skip</c> condition (JSON
/// logic over <c>payload</c> and <c>subscriber</c>) holds is skipped; otherwise each control value is rendered
/// with its <c>{{ path.to.value }}</c> outputs filled from the event. This is the subset of Liquid and JSON
/// logic that workflows use to show content rendered elsewhere; filters and tags are left as written. An email step
/// takes the sender Novu's email step would use from the trigger's <c>overrides.email</c> (<c>senderName</c>, <c>from</c>),
/// as its send-message-email use case does before the integration's own credentials.
/// </summary>
public static partial class StepRunner
{
    private static readonly string[] ChannelTypes = ["in_app", "email", "sms", "push", "chat"];

    private static readonly string[] EmailSenderOverrides = ["senderName", "from"];

    public static IReadOnlyList<StepRun> Run(WorkflowDto workflow, JsonObject? payload, JsonNode? subscriber, JsonObject? overrides = null)
    {
        var context = new JsonObject
        {
            ["payload"] = payload?.DeepClone() ?? new JsonObject(),
            ["subscriber"] = subscriber?.DeepClone() ?? new JsonObject(),
        };
        var runs = new List<StepRun>();
        foreach (var step in workflow.Steps.Where(s => ChannelTypes.Contains(s.Type, StringComparer.Ordinal)))
        {
            var values = step.Controls.Values;
            if (values["skip"] is JsonNode skip && Truthy(Evaluate(skip, context)))
            {
                runs.Add(new StepRun(step.StepId, step.Type, Skipped: true, Content: null));
                continue;
            }

            var content = new JsonObject();
            foreach (var (name, value) in values)
            {
                if (name != "skip" && value is JsonValue text && text.TryGetValue<string>(out var template))
                {
                    content[name] = Render(template, context);
                }
            }

            if (step.Type == "email" && overrides?["email"] is JsonObject email)
            {
                foreach (var name in EmailSenderOverrides)
                {
                    if (email[name] is JsonValue value && value.TryGetValue<string>(out var sender))
                    {
                        content[name] = sender;
                    }
                }
            }

            runs.Add(new StepRun(step.StepId, step.Type, Skipped: false, content));
        }

        return runs;
    }

    public static string Render(string template, JsonObject context) =>
        OutputPattern().Replace(template, match => Lookup(context, match.Groups[1].Value) switch
        {
            null => string.Empty,
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            var node => node.ToJsonString(),
        });

    /// <summary>JSON logic: <c>var</c>, <c>!</c>, <c>!!</c>, <c>==</c>, <c>!=</c>, <c>and</c>, <c>or</c>; literals stand for themselves.</summary>
    public static JsonNode? Evaluate(JsonNode? rule, JsonObject context)
    {
        if (rule is not JsonObject op || op.Count != 1)
        {
            return rule;
        }

        var (name, argument) = op.First();
        var args = argument is JsonArray array ? array.ToList() : [argument];
        return name switch
        {
            "var" => Lookup(context, args.FirstOrDefault()?.GetValue<string>() ?? string.Empty),
            "!" => JsonValue.Create(!Truthy(Evaluate(args[0], context))),
            "!!" => JsonValue.Create(Truthy(Evaluate(args[0], context))),
            "==" => JsonValue.Create(JsonNode.DeepEquals(Evaluate(args[0], context), Evaluate(args[1], context))),
            "!=" => JsonValue.Create(!JsonNode.DeepEquals(Evaluate(args[0], context), Evaluate(args[1], context))),
            "and" => JsonValue.Create(args.All(a => Truthy(Evaluate(a, context)))),
            "or" => JsonValue.Create(args.Any(a => Truthy(Evaluate(a, context)))),
            _ => JsonValue.Create(false),
        };
    }

    /// <summary>JSON logic's truthiness: null, false, 0, "" and [] are false; every object is true.</summary>
    public static bool Truthy(JsonNode? node) => node switch
    {
        null => false,
        JsonArray array => array.Count > 0,
        JsonObject => true,
        JsonValue value when value.TryGetValue<bool>(out var flag) => flag,
        JsonValue value when value.TryGetValue<string>(out var text) => text.Length > 0,
        JsonValue value when value.TryGetValue<double>(out var number) => number != 0,
        _ => true,
    };

    private static JsonNode? Lookup(JsonObject context, string path)
    {
        JsonNode? current = context;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            current = current is JsonObject obj ? obj[part] : null;
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")]
    private static partial Regex OutputPattern();
}
