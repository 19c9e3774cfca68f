using System.Text.Json.Nodes;
using Microsoft.Kiota.Abstractions.Serialization;
using XNovu.Client;
using XNovu.Client.Api;
using XNovu.Client.Api.Models;

namespace XNovu.Cli.Import;

/// <summary>
/// <see cref="IXNovuImportTarget"/> through <c>XNovu.Client</c>, the typed API client: its retries of 429 and
/// 503 after <c>Retry-After</c>, and its problems as <see cref="XNovuProblemException"/>, which become
/// <see cref="ImportTargetException"/> here (a 404 on a read is "not there").
/// </summary>
internal sealed class ClientImportTarget(XNovuApiClient client) : IXNovuImportTarget
{
    public async Task<IReadOnlyList<LookupDefinition>> ListLookupsAsync(LookupKind kind, CancellationToken cancellationToken)
    {
        var items = await Call(() => kind == LookupKind.Category
            ? client.Api.Categories.GetAsync(cancellationToken: cancellationToken)
            : client.Api.Priorities.GetAsync(cancellationToken: cancellationToken));
        return (items ?? []).Select(l => new LookupDefinition(l.Code!, l.Name!, l.Description, l.SortOrder ?? 0)).ToList();
    }

    public Task SaveLookupAsync(LookupKind kind, LookupDefinition lookup, bool exists, CancellationToken cancellationToken)
    {
        var body = new LookupRequest { Code = lookup.Code, Name = lookup.Name, Description = lookup.Description, SortOrder = lookup.SortOrder };
        return Call(() => (kind, exists) switch
        {
            (LookupKind.Category, true) => client.Api.Categories[lookup.Code].PutAsync(body, cancellationToken: cancellationToken),
            (LookupKind.Category, false) => client.Api.Categories.PostAsync(body, cancellationToken: cancellationToken),
            (_, true) => client.Api.Priorities[lookup.Code].PutAsync(body, cancellationToken: cancellationToken),
            _ => client.Api.Priorities.PostAsync(body, cancellationToken: cancellationToken),
        });
    }

    public async Task<TemplateDefinition?> GetTemplateAsync(string templateKey, CancellationToken cancellationToken)
    {
        var t = await Find(() => client.Api.Templates[templateKey].GetAsync(cancellationToken: cancellationToken));
        return t is null
            ? null
            : new TemplateDefinition(
                t.TemplateKey!, t.Name!, t.Description, t.ChannelType!, t.SubjectTemplate, t.BodyTemplate!,
                await ToJsonAsync(t.VariablesDescription, cancellationToken), t.CategoryCode, t.PayloadAtRoot,
                StateOf(t.PublishStatus, t.Deactivated));
    }

    public async Task<IReadOnlyList<string>> SaveTemplateAsync(TemplateDefinition template, bool exists, CancellationToken cancellationToken)
    {
        var body = new TemplateRequest
        {
            TemplateKey = template.TemplateKey,
            Name = template.Name,
            Description = template.Description,
            ChannelType = template.ChannelType,
            SubjectTemplate = template.SubjectTemplate,
            BodyTemplate = template.BodyTemplate,
            VariablesDescription = template.VariablesDescription is null ? null : XNovuJson.From(template.VariablesDescription),
            CategoryCode = template.CategoryCode,
            PayloadAtRoot = template.PayloadAtRoot,
        };
        var saved = await Call(() => exists
            ? client.Api.Templates[template.TemplateKey].PutAsync(body, cancellationToken: cancellationToken)
            : client.Api.Templates.PostAsync(body, cancellationToken: cancellationToken));
        return saved?.Notes ?? [];
    }

    public Task SetTemplateStateAsync(string templateKey, DefinitionState state, CancellationToken cancellationToken) =>
        Call(() => state switch
        {
            DefinitionState.Published => client.Api.Templates[templateKey].Publish.PostAsync(cancellationToken: cancellationToken),
            DefinitionState.Deactivated => client.Api.Templates[templateKey].Deactivate.PostAsync(cancellationToken: cancellationToken),
            _ => client.Api.Templates[templateKey].Unpublish.PostAsync(cancellationToken: cancellationToken),
        });

    public async Task<WorkflowDefinition?> GetWorkflowAsync(string workflowKey, CancellationToken cancellationToken)
    {
        var w = await Find(() => client.Api.Workflows[workflowKey].GetAsync(cancellationToken: cancellationToken));
        if (w is null)
        {
            return null;
        }

        var overrides = (w.TemplateOverrides?.AdditionalData ?? new Dictionary<string, object>())
            .ToDictionary(o => o.Key, o => Text(o.Value), StringComparer.Ordinal);
        return new WorkflowDefinition(
            w.WorkflowKey!, w.Name!, w.Description, w.DefaultChannels ?? [], await ToJsonAsync(w.PayloadSchema, cancellationToken),
            await ToJsonAsync(w.ControlSchema, cancellationToken), overrides, w.CategoryCode, StateOf(w.PublishStatus, w.Deactivated),
            IsStatic: w.Id is null);
    }

    public Task SaveWorkflowAsync(WorkflowDefinition workflow, bool exists, CancellationToken cancellationToken)
    {
        var overrides = new WorkflowRequest_templateOverrides();
        foreach (var (channel, key) in workflow.TemplateOverrides)
        {
            overrides.AdditionalData[channel] = key;
        }

        var body = new WorkflowRequest
        {
            WorkflowKey = workflow.WorkflowKey,
            Name = workflow.Name,
            Description = workflow.Description,
            WorkflowType = "DYNAMIC",
            DefaultChannels = [.. workflow.DefaultChannels],
            PayloadSchema = workflow.PayloadSchema is null ? null : XNovuJson.From(workflow.PayloadSchema),
            ControlSchema = workflow.ControlSchema is null ? null : XNovuJson.From(workflow.ControlSchema),
            TemplateOverrides = overrides,
            CategoryCode = workflow.CategoryCode,
        };
        return Call(() => exists
            ? client.Api.Workflows[workflow.WorkflowKey].PutAsync(body, cancellationToken: cancellationToken)
            : client.Api.Workflows.PostAsync(body, cancellationToken: cancellationToken));
    }

    public Task SetWorkflowStateAsync(string workflowKey, DefinitionState state, CancellationToken cancellationToken) =>
        Call(() => state switch
        {
            DefinitionState.Published => client.Api.Workflows[workflowKey].Publish.PostAsync(cancellationToken: cancellationToken),
            DefinitionState.Deactivated => client.Api.Workflows[workflowKey].Deactivate.PostAsync(cancellationToken: cancellationToken),
            _ => client.Api.Workflows[workflowKey].Unpublish.PostAsync(cancellationToken: cancellationToken),
        });

    public async Task<IReadOnlyList<RuleDefinition>> ListRulesAsync(CancellationToken cancellationToken)
    {
        var rules = await Call(() => client.Api.Rules.GetAsync(cancellationToken: cancellationToken)) ?? [];
        var result = new List<RuleDefinition>();
        foreach (var r in rules)
        {
            result.Add(new RuleDefinition(
                r.Id, r.Name!, r.Description, r.WorkflowKey!, r.TriggerType!,
                await ToJsonAsync(r.TriggerConfig, cancellationToken) as JsonObject ?? [],
                await ToJsonAsync(r.RulePayload, cancellationToken) as JsonObject ?? [],
                StateOf(r.PublishStatus, r.Deactivated)));
        }

        return result;
    }

    public async Task<long> SaveRuleAsync(RuleDefinition rule, CancellationToken cancellationToken)
    {
        var body = new RuleRequest
        {
            Name = rule.Name,
            Description = rule.Description,
            WorkflowKey = rule.WorkflowKey,
            TriggerType = rule.TriggerType,
            TriggerConfig = XNovuJson.From(rule.TriggerConfig),
            RulePayload = XNovuJson.From(rule.RulePayload),
        };
        var saved = await Call(() => rule.Id is { } id
            ? client.Api.Rules[id].PutAsync(body, cancellationToken: cancellationToken)
            : client.Api.Rules.PostAsync(body, cancellationToken: cancellationToken));
        return saved?.Id ?? throw new ImportTargetException(0, null, $"XNovu answered rule '{rule.Name}' without an id.");
    }

    public Task SetRuleStateAsync(long ruleId, DefinitionState state, CancellationToken cancellationToken) =>
        Call(() => state switch
        {
            DefinitionState.Published => client.Api.Rules[ruleId].Publish.PostAsync(cancellationToken: cancellationToken),
            DefinitionState.Deactivated => client.Api.Rules[ruleId].Deactivate.PostAsync(cancellationToken: cancellationToken),
            _ => client.Api.Rules[ruleId].Unpublish.PostAsync(cancellationToken: cancellationToken),
        });

    public Task MapOriginalIdsAsync(IReadOnlyList<OriginalIdDefinition> ids, CancellationToken cancellationToken)
    {
        var body = new OriginalIdsRequest
        {
            Items = ids.Select(i => new OriginalIdItem { Kind = i.Kind, OriginalId = i.OriginalId, Key = i.Key }).ToList(),
        };
        return Call(() => client.Api.OriginalIds.PutAsync(body, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<TriggerOutcome>> TriggerAsync(IReadOnlyList<NotificationDefinition> notifications, CancellationToken cancellationToken)
    {
        var body = new BulkTriggerRequest
        {
            Events = notifications.Select(n => new TriggerRequest
            {
                WorkflowId = n.WorkflowKey,
                To = XNovuJson.From(n.Recipients),
                Payload = XNovuJson.From(n.Payload),
                Overrides = n.Overrides is null ? null : XNovuJson.From(n.Overrides),
                TransactionId = n.TransactionId,
                ScheduledFor = n.ScheduledFor,
                Tags = n.Tags?.ToList(),
                CategoryCode = n.CategoryCode,
                PriorityCode = n.PriorityCode,
            }).ToList(),
        };
        var answer = await Call(() => client.Api.Trigger.Bulk.PostAsync(body, cancellationToken: cancellationToken));
        var results = (answer?.Results ?? []).ToDictionary(r => r.Index ?? -1);
        return notifications
            .Select((_, i) => results.TryGetValue(i, out var r)
                ? new TriggerOutcome(r.Status ?? 0, r.Error is { } e ? e.Detail ?? e.Title : null)
                : new TriggerOutcome(0, "XNovu's bulk answer has no result for it"))
            .ToList();
    }

    private static DefinitionState StateOf(string? publishStatus, bool? deactivated) =>
        deactivated == true ? DefinitionState.Deactivated
        : publishStatus == "PUBLISH" ? DefinitionState.Published
        : DefinitionState.Draft;

    private static string Text(object? value) => value switch
    {
        string text => text,
        UntypedString untyped => untyped.GetValue() ?? string.Empty,
        _ => value?.ToString() ?? string.Empty,
    };

    private static async Task<JsonNode?> ToJsonAsync(UntypedNode? node, CancellationToken cancellationToken) =>
        node is null or UntypedNull ? null : JsonNode.Parse(await XNovuJson.ToJsonAsync(node, cancellationToken));

    /// <summary>A read that answers null for 404.</summary>
    private static async Task<T?> Find<T>(Func<Task<T?>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (XNovuProblemException problem) when (problem.Status == 404)
        {
            return null;
        }
        catch (XNovuProblemException problem)
        {
            throw Refused(problem);
        }
    }

    private static async Task<T?> Call<T>(Func<Task<T?>> call)
    {
        try
        {
            return await call();
        }
        catch (XNovuProblemException problem)
        {
            throw Refused(problem);
        }
    }

    private static async Task Call(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (XNovuProblemException problem)
        {
            throw Refused(problem);
        }
    }

    private static ImportTargetException Refused(XNovuProblemException problem) =>
        new(problem.Status, problem.Type, problem.Detail ?? problem.Title, problem.Errors);
}
