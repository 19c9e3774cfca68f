using System.Text.Json.Nodes;

namespace XNovu.Cli.Import;

/// <summary>
/// Makes an XNovu enterprise hold the original's definitions, in dependency order (codes, templates,
/// workflows, rules). Each definition is compared with what XNovu already holds, so a re-run changes
/// nothing; a dry run reads XNovu the same way but writes nothing. One definition's refusal is reported and
/// does not stop the others.
/// </summary>
/// <param name="claims">The original's side of a cutover; null when notifications are not brought (or in a dry run).</param>
internal sealed class Importer(IXNovuImportTarget target, bool dryRun, IOriginalClaims? claims = null, TimeProvider? time = null)
{
    /// <summary>At most this many original ids per call of the map (the API takes 1,000).</summary>
    public const int OriginalIdBatch = 1000;

    private readonly List<ImportEntry> _entries = [];

    // The original's rule ids and the XNovu ids of the rules they became (null when not there).
    private readonly List<OriginalIdDefinition> _ruleIds = [];

    public async Task<ImportReport> RunAsync(OriginalEnterprise source, CancellationToken cancellationToken)
    {
        var plan = Conversion.Plan(source);
        _entries.AddRange(plan.Skipped);
        await LookupsAsync(LookupKind.Category, plan.Categories, cancellationToken);
        await LookupsAsync(LookupKind.Priority, plan.Priorities, cancellationToken);
        foreach (var template in plan.Templates)
        {
            await GuardAsync("template", template.TemplateKey, () => TemplateAsync(template, cancellationToken));
        }

        foreach (var workflow in plan.Workflows)
        {
            await GuardAsync("workflow", workflow.WorkflowKey, () => WorkflowAsync(workflow, cancellationToken));
        }

        var existingRules = await target.ListRulesAsync(cancellationToken);
        foreach (var rule in plan.Rules)
        {
            await GuardAsync("rule", rule.Name, () => RuleAsync(rule, existingRules, cancellationToken));
        }

        await OriginalIdsAsync([.. plan.OriginalIds, .. _ruleIds], cancellationToken);

        // Last: a notification's workflow, category and priority must be in XNovu before it is.
        _entries.AddRange(await Cutover.RunAsync(plan.Notifications, target, dryRun ? null : claims, dryRun, time ?? TimeProvider.System, cancellationToken));

        return new ImportReport(dryRun, source.EnterpriseId, _entries);
    }

    private async Task LookupsAsync(LookupKind kind, IReadOnlyList<LookupDefinition> wanted, CancellationToken cancellationToken)
    {
        var noun = kind == LookupKind.Category ? "category" : "priority";
        var existing = (await target.ListLookupsAsync(kind, cancellationToken)).ToDictionary(l => l.Code, StringComparer.Ordinal);
        foreach (var lookup in wanted)
        {
            await GuardAsync(noun, lookup.Code, async () =>
            {
                var stored = existing.GetValueOrDefault(lookup.Code);
                if (stored == lookup)
                {
                    Add(ImportAction.Unchanged, noun, lookup.Code);
                    return;
                }

                Add(stored is null ? ImportAction.Create : ImportAction.Update, noun, lookup.Code);
                if (!dryRun)
                {
                    await target.SaveLookupAsync(kind, lookup, exists: stored is not null, cancellationToken);
                }
            });
        }
    }

    private async Task TemplateAsync(TemplateDefinition wanted, CancellationToken cancellationToken)
    {
        var stored = await target.GetTemplateAsync(wanted.TemplateKey, cancellationToken);
        if (stored is not null && SameTemplate(stored, wanted))
        {
            Add(ImportAction.Unchanged, "template", wanted.TemplateKey);
        }
        else
        {
            var notes = dryRun ? [] : await target.SaveTemplateAsync(wanted, exists: stored is not null, cancellationToken);
            Add(stored is null ? ImportAction.Create : ImportAction.Update, "template", wanted.TemplateKey, notes.Count > 0 ? string.Join(" ", notes) : null);
        }

        await StateAsync("template", wanted.TemplateKey, stored?.State, wanted.State, state => target.SetTemplateStateAsync(wanted.TemplateKey, state, cancellationToken));
    }

    private async Task WorkflowAsync(WorkflowDefinition wanted, CancellationToken cancellationToken)
    {
        var stored = await target.GetWorkflowAsync(wanted.WorkflowKey, cancellationToken);
        if (stored is { IsStatic: true })
        {
            // Ours shadows a shipped one of the same key, as the original's dynamic workflows did.
            stored = null;
        }

        if (stored is not null && SameWorkflow(stored, wanted))
        {
            Add(ImportAction.Unchanged, "workflow", wanted.WorkflowKey);
        }
        else
        {
            Add(stored is null ? ImportAction.Create : ImportAction.Update, "workflow", wanted.WorkflowKey);
            if (!dryRun)
            {
                await target.SaveWorkflowAsync(wanted, exists: stored is not null, cancellationToken);
            }
        }

        await StateAsync("workflow", wanted.WorkflowKey, stored?.State, wanted.State, state => target.SetWorkflowStateAsync(wanted.WorkflowKey, state, cancellationToken));
    }

    /// <summary>A rule has no key: it is the same rule when its name and workflow are the same.</summary>
    private async Task RuleAsync(RuleDefinition wanted, IReadOnlyList<RuleDefinition> existing, CancellationToken cancellationToken)
    {
        var stored = existing.FirstOrDefault(r => r.Name == wanted.Name && r.WorkflowKey == wanted.WorkflowKey);
        long? id = stored?.Id;
        try
        {
            if (stored is not null && SameRule(stored, wanted))
            {
                Add(ImportAction.Unchanged, "rule", wanted.Name);
            }
            else
            {
                Add(stored is null ? ImportAction.Create : ImportAction.Update, "rule", wanted.Name);
                if (!dryRun)
                {
                    id = await target.SaveRuleAsync(wanted with { Id = stored?.Id }, cancellationToken);
                }
            }

            await StateAsync("rule", wanted.Name, stored?.State, wanted.State, state => target.SetRuleStateAsync(id!.Value, state, cancellationToken));
        }
        finally
        {
            // Also when XNovu refused it: the original's id then maps to nothing (or to the rule XNovu already had).
            if (wanted.OriginalId is { } originalId)
            {
                _ruleIds.Add(new OriginalIdDefinition(OriginalIdKind.Rule, originalId, id?.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
    }

    /// <summary>
    /// The map original_compat translates the original's ids through: written after the definitions (XNovu resolves
    /// each key to its id then), an upsert, so a re-run writes only what changed. A dry run writes nothing.
    /// </summary>
    private async Task OriginalIdsAsync(IReadOnlyList<OriginalIdDefinition> ids, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            return;
        }

        foreach (var batch in ids.Chunk(OriginalIdBatch))
        {
            await GuardAsync("id map", $"{batch[0].Kind} {batch[0].OriginalId}", () => target.MapOriginalIdsAsync(batch, cancellationToken));
        }
    }

    /// <summary>
    /// Publishes or deactivates what the original had so. A draft in the original never unpublishes what
    /// XNovu holds: someone may have published it there since the last import.
    /// </summary>
    private async Task StateAsync(string kind, string name, DefinitionState? stored, DefinitionState wanted, Func<DefinitionState, Task> apply)
    {
        if (wanted == DefinitionState.Draft || stored == wanted || stored == DefinitionState.Deactivated)
        {
            return;
        }

        Add(wanted == DefinitionState.Published ? ImportAction.Publish : ImportAction.Deactivate, kind, name);
        if (!dryRun)
        {
            await apply(wanted);
        }
    }

    private async Task GuardAsync(string kind, string name, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (ImportTargetException refused)
        {
            Add(ImportAction.Failed, kind, name, refused.Describe());
        }
    }

    private void Add(ImportAction action, string kind, string name, string? detail = null) => _entries.Add(new ImportEntry(action, kind, name, detail));

    private static bool SameTemplate(TemplateDefinition stored, TemplateDefinition wanted) =>
        stored.Name == wanted.Name && stored.Description == wanted.Description && stored.ChannelType == wanted.ChannelType
        && stored.SubjectTemplate == wanted.SubjectTemplate && stored.BodyTemplate == wanted.BodyTemplate
        && JsonNode.DeepEquals(stored.VariablesDescription, wanted.VariablesDescription)
        && stored.CategoryCode == wanted.CategoryCode && stored.PayloadAtRoot == wanted.PayloadAtRoot;

    private static bool SameWorkflow(WorkflowDefinition stored, WorkflowDefinition wanted) =>
        stored.Name == wanted.Name && stored.Description == wanted.Description
        && stored.DefaultChannels.SequenceEqual(wanted.DefaultChannels)
        && JsonNode.DeepEquals(stored.PayloadSchema, wanted.PayloadSchema)
        && JsonNode.DeepEquals(stored.ControlSchema, wanted.ControlSchema)
        && stored.TemplateOverrides.Count == wanted.TemplateOverrides.Count
        && wanted.TemplateOverrides.All(o => stored.TemplateOverrides.TryGetValue(o.Key, out var key) && key == o.Value)
        && stored.CategoryCode == wanted.CategoryCode;

    /// <summary>XNovu completes a rule's settings (a default time zone, a normalised instant): the wanted ones must be there.</summary>
    private static bool SameRule(RuleDefinition stored, RuleDefinition wanted) =>
        stored.Description == wanted.Description && stored.TriggerType == wanted.TriggerType
        && Contains(stored.TriggerConfig, wanted.TriggerConfig) && Contains(stored.RulePayload, wanted.RulePayload);

    private static bool Contains(JsonObject stored, JsonObject wanted) =>
        wanted.All(w => stored.TryGetPropertyValue(w.Key, out var value)
            && (JsonNode.DeepEquals(value, w.Value) || (value is JsonValue && w.Value is JsonValue && value.ToString().Trim() == w.Value.ToString().Trim())));
}
