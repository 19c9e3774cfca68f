using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;

namespace XNovu.Core.Workflows;

/// <summary>A workflow shipped with XNovu: it belongs to no enterprise and every enterprise may trigger it.</summary>
public sealed record StaticWorkflow(
    string WorkflowKey,
    string Name,
    string? Description,
    IReadOnlyList<string> DefaultChannels,
    JsonElement? PayloadSchema,
    JsonElement? ControlSchema,
    IReadOnlyDictionary<string, string> TemplateOverrides);

/// <summary>A template shipped with XNovu, serving a static workflow's channel.</summary>
public sealed record StaticTemplate(
    string TemplateKey,
    string Name,
    string? Description,
    string ChannelType,
    string? SubjectTemplate,
    string BodyTemplate,
    JsonElement? VariablesDescription);

/// <summary>
/// The static workflows and their templates, read once at start from the JSON files embedded from
/// <c>Workflows/Static/</c>. A file that does not hold together (a channel without a template, a template of
/// another channel, a duplicate key) stops the start rather than failing the first trigger.
/// An enterprise's own workflow or template with the same key shadows the static one; that choice is
/// made in one place, <see cref="WorkflowResolver"/>.
/// </summary>
public sealed class StaticWorkflowRegistry
{
    private const string ResourceMarker = ".Workflows.Static.";

    private static readonly JsonSerializerOptions FileOptions = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private readonly FrozenDictionary<string, StaticWorkflow> _workflows;
    private readonly FrozenDictionary<string, StaticTemplate> _templates;

    public StaticWorkflowRegistry(IEnumerable<StaticWorkflow> workflows, IEnumerable<StaticTemplate> templates)
    {
        _templates = ToUniqueDictionary(templates, t => t.TemplateKey, "template");
        _workflows = ToUniqueDictionary(workflows, w => w.WorkflowKey, "workflow");
        foreach (var workflow in _workflows.Values)
        {
            Check(workflow);
        }

        foreach (var template in _templates.Values)
        {
            if (!NotificationChannels.IsKnown(template.ChannelType))
            {
                throw new InvalidDataException($"Static template '{template.TemplateKey}' has the unknown channel '{template.ChannelType}'.");
            }
        }
    }

    public IReadOnlyCollection<StaticWorkflow> Workflows => _workflows.Values;

    public IReadOnlyCollection<StaticTemplate> Templates => _templates.Values;

    public StaticWorkflow? FindWorkflow(string workflowKey) => _workflows.GetValueOrDefault(workflowKey);

    public StaticTemplate? FindTemplate(string templateKey) => _templates.GetValueOrDefault(templateKey);

    public bool IsStaticWorkflow(string workflowKey) => _workflows.ContainsKey(workflowKey);

    /// <summary>Loads every <c>Workflows/Static/*.json</c> embedded in this assembly.</summary>
    public static StaticWorkflowRegistry LoadEmbedded()
    {
        var assembly = typeof(StaticWorkflowRegistry).Assembly;
        var files = assembly.GetManifestResourceNames()
            .Where(name => name.Contains(ResourceMarker, StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => Read(assembly, name))
            .ToList();
        return new StaticWorkflowRegistry(
            files.SelectMany(f => f.Workflow is null ? [] : new[] { f.Workflow.ToWorkflow() }),
            files.SelectMany(f => f.Templates ?? []).Select(t => t.ToTemplate()));
    }

    private void Check(StaticWorkflow workflow)
    {
        if (workflow.DefaultChannels.Count == 0)
        {
            throw new InvalidDataException($"Static workflow '{workflow.WorkflowKey}' has no channel.");
        }

        foreach (var channel in workflow.DefaultChannels)
        {
            if (!workflow.TemplateOverrides.TryGetValue(channel, out var templateKey)
                || !_templates.TryGetValue(templateKey, out var template)
                || template.ChannelType != channel)
            {
                throw new InvalidDataException(
                    $"Static workflow '{workflow.WorkflowKey}' has no static {channel} template for its channel {channel}.");
            }
        }
    }

    private static FrozenDictionary<string, T> ToUniqueDictionary<T>(IEnumerable<T> items, Func<T, string> key, string noun)
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!DefinitionKeys.IsValid(key(item)) || !result.TryAdd(key(item), item))
            {
                throw new InvalidDataException($"Static {noun} key '{key(item)}' is invalid or defined twice.");
            }
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static StaticFile Read(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidDataException($"Embedded resource '{resourceName}' is missing.");
        try
        {
            return JsonSerializer.Deserialize<StaticFile>(stream, FileOptions)
                ?? throw new InvalidDataException($"Static workflow file '{resourceName}' is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Static workflow file '{resourceName}' is invalid: {ex.Message}", ex);
        }
    }

    private sealed record StaticFile(StaticWorkflowFile? Workflow, IReadOnlyList<StaticTemplateFile>? Templates);

    private sealed record StaticWorkflowFile(
        string WorkflowKey,
        string Name,
        string? Description,
        IReadOnlyList<string> DefaultChannels,
        JsonElement? PayloadSchema,
        JsonElement? ControlSchema,
        Dictionary<string, string> TemplateOverrides)
    {
        public StaticWorkflow ToWorkflow() => new(
            WorkflowKey, Name, Description, DefaultChannels, PayloadSchema, ControlSchema,
            TemplateOverrides.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private sealed record StaticTemplateFile(
        string TemplateKey,
        string Name,
        string? Description,
        string ChannelType,
        string? SubjectTemplate,
        string BodyTemplate,
        JsonElement? VariablesDescription)
    {
        public StaticTemplate ToTemplate() => new(TemplateKey, Name, Description, ChannelType, SubjectTemplate, BodyTemplate, VariablesDescription);
    }
}
