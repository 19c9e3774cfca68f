// Over 300 lines on purpose: one pure function per kind of the original's definitions (categories, priorities,
// templates, workflows, rules), kept together so the whole id-to-key mapping reads in one place.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using XNovu.Core.Templates;

namespace XNovu.Cli.Import;

/// <summary>What the original's definitions become in XNovu, and what could not be converted.</summary>
internal sealed record ImportPlan(
    IReadOnlyList<LookupDefinition> Categories,
    IReadOnlyList<LookupDefinition> Priorities,
    IReadOnlyList<TemplateDefinition> Templates,
    IReadOnlyList<WorkflowDefinition> Workflows,
    IReadOnlyList<RuleDefinition> Rules,
    IReadOnlyList<ImportEntry> Skipped)
{
    /// <summary>The PENDING notifications a cutover brings (empty without <c>--notifications</c>).</summary>
    public IReadOnlyList<NotificationDefinition> Notifications { get; init; } = [];

    /// <summary>
    /// Every id of the original's categories, priorities, templates, workflows, and rules not brought, with the key it
    /// becomes (null when not brought); the brought rules' ids are known once XNovu holds them (the importer adds them).
    /// </summary>
    public IReadOnlyList<OriginalIdDefinition> OriginalIds { get; init; } = [];
}

/// <summary>
/// Converts the original's rows to XNovu definitions, without touching XNovu: ids become keys and codes,
/// the legacy include syntax becomes our tag, <c>template_overrides</c> by template id become template
/// keys per channel, and imported templates read payload keys at the root as the original rendered them.
/// </summary>
internal static class Conversion
{
    private static readonly string[] Channels = ["IN_APP", "EMAIL", "SMS", "CHAT", "PUSH"];

    private static readonly Dictionary<string, string[]> TriggerSettings = new(StringComparer.Ordinal)
    {
        ["CRON"] = ["cron", "timezone", "enabled", "misfirePolicy"],
        ["SCHEDULE"] = ["at"],
        ["EVENT"] = ["eventName"],
    };

    // Names the original's rows used for the same setting.
    private static readonly Dictionary<string, string> TriggerSettingAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cronExpression"] = "cron",
        ["expression"] = "cron",
        ["timeZone"] = "timezone",
        ["tz"] = "timezone",
        ["scheduledFor"] = "at",
        ["scheduledAt"] = "at",
        ["scheduled_for"] = "at",
        ["runAt"] = "at",
        ["event"] = "eventName",
        ["eventType"] = "eventName",
        ["event_name"] = "eventName",
    };

    private static readonly string[] RulePayloadFields = ["recipients", "payload", "overrides"];

    public static ImportPlan Plan(OriginalEnterprise source)
    {
        var skipped = new List<ImportEntry>();
        var allCategoryCodes = DerivedCodes.For(source.Categories, "category", skipped);
        var priorityCodes = DerivedCodes.For(source.Priorities, "priority", skipped);
        var categoryCodes = source.Categories.Where(c => StateOf(c.PublishStatus, deactivated: false) is not null).ToDictionary(c => c.Id, c => allCategoryCodes[c.Id]);
        var templateKeys = source.Templates.ToDictionary(t => t.Id, t => t.TemplateKey);
        var workflowKeys = source.Workflows.ToDictionary(w => w.Id, w => w.WorkflowKey);

        var categories = Lookups(source.Categories, allCategoryCodes, "category", skipped);
        var priorities = Lookups(source.Priorities, priorityCodes, "priority", skipped);
        var templates = source.Templates
            .Select(t => Template(t, categoryCodes, skipped))
            .OfType<TemplateDefinition>()
            .ToList();
        var workflows = source.Workflows
            .Select(w => Workflow(w, categoryCodes, templateKeys, skipped))
            .OfType<WorkflowDefinition>()
            .ToList();
        var rules = source.Rules
            .Select(r => Rule(r, workflowKeys, skipped))
            .OfType<RuleDefinition>()
            .ToList();
        var livePriorityCodes = source.Priorities.Where(p => StateOf(p.PublishStatus, deactivated: false) is not null).ToDictionary(p => p.Id, p => priorityCodes[p.Id]);
        var notifications = Cutover.Plan(source.Notifications, workflowKeys, categoryCodes, livePriorityCodes, skipped);
        return new ImportPlan(categories, priorities, templates, workflows, rules, skipped)
        {
            Notifications = notifications,
            OriginalIds = OriginalIds(source, allCategoryCodes, priorityCodes, categories, priorities, templates, workflows, rules),
        };
    }

    /// <summary>
    /// The original's ids and the keys they became: a definition that is not brought (skipped, unconverted) maps to
    /// nothing, so original_compat refuses its id rather than reading it as one of XNovu's.
    /// </summary>
    private static List<OriginalIdDefinition> OriginalIds(
        OriginalEnterprise source, IReadOnlyDictionary<long, string> categoryCodes, IReadOnlyDictionary<long, string> priorityCodes,
        List<LookupDefinition> categories, List<LookupDefinition> priorities, List<TemplateDefinition> templates,
        List<WorkflowDefinition> workflows, List<RuleDefinition> rules)
    {
        static string? Brought(string key, IEnumerable<string> keys) => keys.Contains(key, StringComparer.Ordinal) ? key : null;

        return
        [
            .. source.Categories.Select(c => new OriginalIdDefinition(OriginalIdKind.Category, c.Id, Brought(categoryCodes[c.Id], categories.Select(l => l.Code)))),
            .. source.Priorities.Select(p => new OriginalIdDefinition(OriginalIdKind.Priority, p.Id, Brought(priorityCodes[p.Id], priorities.Select(l => l.Code)))),
            .. source.Templates.Select(t => new OriginalIdDefinition(OriginalIdKind.Template, t.Id, Brought(t.TemplateKey, templates.Select(d => d.TemplateKey)))),
            .. source.Workflows.Select(w => new OriginalIdDefinition(OriginalIdKind.Workflow, w.Id, Brought(w.WorkflowKey, workflows.Select(d => d.WorkflowKey)))),
            .. source.Rules.Where(r => !rules.Any(d => d.OriginalId == r.Id)).Select(r => new OriginalIdDefinition(OriginalIdKind.Rule, r.Id, null)),
        ];
    }

    /// <summary>The original's publish state as ours; null: not to import (deleted or discarded).</summary>
    public static DefinitionState? StateOf(string publishStatus, bool deactivated) => publishStatus switch
    {
        "DELETED" or "DISCARD" => null,
        _ when deactivated => DefinitionState.Deactivated,
        "PUBLISH" => DefinitionState.Published,
        _ => DefinitionState.Draft,
    };

    /// <summary>
    /// <c>{"emailTemplateId": 12, "IN_APP": "welcome"}</c> as <c>{"EMAIL": "order-email", "IN_APP": "welcome"}</c>:
    /// a number (or a string of digits) is a template id of this enterprise, any other string a key.
    /// </summary>
    public static Dictionary<string, string> TemplateOverrides(
        string? json, IReadOnlyDictionary<long, string> templateKeys, List<string> unconverted)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json) || JsonNode.Parse(json) is not JsonObject overrides)
        {
            return result;
        }

        foreach (var (name, value) in overrides)
        {
            if (ChannelOf(name) is not { } channel)
            {
                unconverted.Add($"templateOverrides.{name}: names no channel ({string.Join(", ", Channels)})");
                continue;
            }

            var id = value switch
            {
                JsonValue number when number.GetValueKind() == JsonValueKind.Number && number.TryGetValue(out long n) => n,
                JsonValue text when text.GetValueKind() == JsonValueKind.String && long.TryParse(text.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
                _ => (long?)null,
            };
            if (id is { } templateId)
            {
                if (templateKeys.TryGetValue(templateId, out var key))
                {
                    result[channel] = key;
                }
                else
                {
                    unconverted.Add($"templateOverrides.{name}: template id {templateId} is not a template of this enterprise");
                }
            }
            else if (value is JsonValue keyValue && keyValue.GetValueKind() == JsonValueKind.String && keyValue.GetValue<string>() is { Length: > 0 } key)
            {
                result[channel] = key;
            }
            else
            {
                unconverted.Add($"templateOverrides.{name}: must be a template id or key, not {value?.ToJsonString() ?? "null"}");
            }
        }

        return result;
    }

    /// <summary><c>emailTemplateId</c>, <c>inAppTemplateId</c>, <c>in_app</c>, <c>EMAIL</c> ... as our channel name.</summary>
    public static string? ChannelOf(string name)
    {
        var bare = name;
        foreach (var suffix in (string[])["TemplateId", "_template_id", "Template", "_template"])
        {
            if (bare.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && bare.Length > suffix.Length)
            {
                bare = bare[..^suffix.Length];
                break;
            }
        }

        var normalized = bare.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal)
            .ToUpperInvariant();
        return normalized == "INAPP" ? "IN_APP" : Channels.FirstOrDefault(c => c == normalized);
    }

    private static List<LookupDefinition> Lookups(
        IReadOnlyList<OriginalLookup> rows, IReadOnlyDictionary<long, string> codes, string noun, List<ImportEntry> skipped)
    {
        var result = new List<LookupDefinition>();
        foreach (var row in rows)
        {
            if (StateOf(row.PublishStatus, deactivated: false) is null)
            {
                skipped.Add(ImportEntry.Skip(noun, codes[row.Id], $"it is {row.PublishStatus} in the original"));
                continue;
            }

            result.Add(new LookupDefinition(codes[row.Id], row.Name, row.Description, row.SortOrder));
        }

        return result;
    }

    private static TemplateDefinition? Template(OriginalTemplate row, Dictionary<long, string> categoryCodes, List<ImportEntry> skipped)
    {
        if (StateOf(row.PublishStatus, row.Deactivated) is not { } state)
        {
            skipped.Add(ImportEntry.Skip("template", row.TemplateKey, $"it is {row.PublishStatus} in the original"));
            return null;
        }

        var subject = row.SubjectTemplate is null ? null : LegacyIncludeSyntax.Rewrite(row.SubjectTemplate);
        var body = LegacyIncludeSyntax.Rewrite(row.BodyTemplate);
        var unconverted = (subject?.Unconverted ?? []).Concat(body.Unconverted).ToList();
        if (unconverted.Count > 0)
        {
            skipped.Add(ImportEntry.Unconverted("template", row.TemplateKey, "include: " + string.Join("; ", unconverted)));
            return null;
        }

        var notes = new List<string>();
        var variables = Json(row.VariablesDescription) is JsonObject described ? described : null;
        if (variables is null && row.VariablesDescription is not null && row.VariablesDescription != "null")
        {
            notes.Add("variables_description is not an object and was left out");
        }

        var category = Category(row.CategoryId, categoryCodes, notes);
        foreach (var note in notes)
        {
            skipped.Add(ImportEntry.Unconverted("template", row.TemplateKey, note));
        }

        return new TemplateDefinition(
            row.TemplateKey, row.Name, row.Description, row.ChannelType, subject?.Liquid, body.Liquid, variables, category,
            PayloadAtRoot: true, state);
    }

    private static WorkflowDefinition? Workflow(
        OriginalWorkflow row, Dictionary<long, string> categoryCodes, Dictionary<long, string> templateKeys, List<ImportEntry> skipped)
    {
        if (StateOf(row.PublishStatus, row.Deactivated) is not { } state)
        {
            skipped.Add(ImportEntry.Skip("workflow", row.WorkflowKey, $"it is {row.PublishStatus} in the original"));
            return null;
        }

        if (row.WorkflowType == "STATIC")
        {
            // Its steps were code in the original; a rule naming it still imports when XNovu has the key.
            skipped.Add(ImportEntry.Skip("workflow", row.WorkflowKey, "it is STATIC (defined in the original's code), so there is nothing to copy"));
            return null;
        }

        var unconverted = new List<string>();
        var overrides = TemplateOverrides(row.TemplateOverrides, templateKeys, unconverted);
        var channels = row.DefaultChannels.Length > 0
            ? row.DefaultChannels.ToList()
            : Channels.Where(overrides.ContainsKey).ToList();
        var category = Category(row.CategoryId, categoryCodes, unconverted);
        foreach (var problem in unconverted)
        {
            skipped.Add(ImportEntry.Unconverted("workflow", row.WorkflowKey, problem));
        }

        return new WorkflowDefinition(
            row.WorkflowKey, row.Name, row.Description, channels, Json(row.PayloadSchema), Json(row.ControlSchema), overrides, category, state);
    }

    private static RuleDefinition? Rule(OriginalRule row, Dictionary<long, string> workflowKeys, List<ImportEntry> skipped)
    {
        if (StateOf(row.PublishStatus, row.Deactivated) is not { } state)
        {
            skipped.Add(ImportEntry.Skip("rule", row.Name, $"it is {row.PublishStatus} in the original"));
            return null;
        }

        if (!workflowKeys.TryGetValue(row.WorkflowId, out var workflowKey))
        {
            skipped.Add(ImportEntry.Unconverted("rule", row.Name, $"its workflow id {row.WorkflowId} is not a workflow of this enterprise"));
            return null;
        }

        if (!TriggerSettings.TryGetValue(row.TriggerType, out var allowed))
        {
            skipped.Add(ImportEntry.Unconverted("rule", row.Name, $"trigger type {row.TriggerType} is not CRON, SCHEDULE or EVENT"));
            return null;
        }

        var config = new JsonObject();
        if (Json(row.TriggerConfig) is JsonObject given)
        {
            foreach (var (name, value) in given)
            {
                var ours = TriggerSettingAliases.TryGetValue(name, out var alias) ? alias : name;
                if (allowed.Contains(ours, StringComparer.Ordinal) && !config.ContainsKey(ours))
                {
                    config[ours] = value?.DeepClone();
                }
                else
                {
                    skipped.Add(ImportEntry.Unconverted("rule", row.Name, $"triggerConfig.{name} is not a {row.TriggerType} setting and was left out"));
                }
            }
        }

        var payload = new JsonObject();
        if (Json(row.RulePayload) is JsonObject flat && !flat.All(p => RulePayloadFields.Contains(p.Key, StringComparer.Ordinal)))
        {
            // The original's own form (lib/temporal/activities/rule-scheduled.ts at 86f4b06): the whole rule_payload
            // was the notification's payload, its recipients read from "recipients" (an array) or "recipient".
            var recipients = flat["recipients"] is JsonArray many ? many.DeepClone()
                : flat["recipient"] is JsonValue one ? new JsonArray(one.DeepClone())
                : null;
            if (recipients is not null)
            {
                payload["recipients"] = recipients;
            }

            payload["payload"] = flat.DeepClone();
        }
        else if (Json(row.RulePayload) is JsonObject rulePayload)
        {
            foreach (var (name, value) in rulePayload)
            {
                if (RulePayloadFields.Contains(name, StringComparer.Ordinal))
                {
                    payload[name] = value?.DeepClone();
                }
                else
                {
                    skipped.Add(ImportEntry.Unconverted("rule", row.Name, $"rulePayload.{name} is not recipients, payload or overrides and was left out"));
                }
            }
        }

        if (row.TriggerType != "CRON" && state == DefinitionState.Published)
        {
            // The original's rule engine (86f4b06) scheduled CRON rules only: this one never fired there, and
            // publishing it here would start sending what the original never sent.
            skipped.Add(ImportEntry.Note("rule", row.Name, $"{row.TriggerType} rules never fired in the original (it ran CRON rules only): imported as a draft; publish it in XNovu to start it"));
            state = DefinitionState.Draft;
        }

        return new RuleDefinition(null, row.Name, row.Description, workflowKey, row.TriggerType, config, payload, state, row.Id);
    }

    private static string? Category(long? id, Dictionary<long, string> categoryCodes, List<string> problems)
    {
        if (id is not { } categoryId)
        {
            return null;
        }

        if (categoryCodes.TryGetValue(categoryId, out var code))
        {
            return code;
        }

        problems.Add($"category id {categoryId} is not a category of this enterprise and was left out");
        return null;
    }

    internal static JsonNode? Json(string? text) => string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
}
