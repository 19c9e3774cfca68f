using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Api.Workflows;
using XNovu.Core.Workflows;

namespace XNovu.Api.Triggers;

/// <summary>
/// What a trigger must pass once its lookup is read, before it is stored: the workflow its key resolves to
/// (through <see cref="WorkflowResolver"/>) must be sendable, the payload must match that workflow's schema,
/// and the codes must name this enterprise's category and priority.
/// </summary>
internal sealed class TriggerChecks(WorkflowResolver resolver, PayloadSchemaValidator schemas)
{
    /// <summary>
    /// The enterprise's own workflow with the key, whatever its state, shadows a static one; it must be
    /// published and active. Then the payload must match its schema and the codes must name this
    /// enterprise's category and priority.
    /// </summary>
    public (ResolvedRow? Row, ProblemHttpResult? Problem) Resolve(PreparedTrigger trigger, Lookup lookup)
    {
        long? workflowId = null;
        int? version = null;
        string? stamp = null;
        long? workflowCategoryId = null;
        string? schema;
        var visible = resolver.Choose(trigger.WorkflowKey, lookup.Workflows.GetValueOrDefault(trigger.WorkflowKey));
        if (visible is { Own: { } own })
        {
            if (!own.CanSend)
            {
                return (null, Problems.Conflict(own.Deactivated
                    ? $"Workflow '{trigger.WorkflowKey}' is deactivated."
                    : $"Workflow '{trigger.WorkflowKey}' is not published."));
            }

            (workflowId, version, stamp, workflowCategoryId, schema) = (own.Id, own.Version, own.Stamp, own.CategoryId, own.PayloadSchema);
        }
        else if (visible is { Static: { } shipped })
        {
            schema = shipped.PayloadSchema is { } payloadSchema ? payloadSchema.GetRawText() : null;
        }
        else
        {
            return (null, TriggerProblems.WorkflowNotFound(trigger.WorkflowKey));
        }

        var errors = schemas.Validate(schema, trigger.Payload);
        if (errors.Any)
        {
            return (null, Problems.Validation(errors.ToDictionary(), $"The payload does not match the payloadSchema of workflow '{trigger.WorkflowKey}'."));
        }

        // A trigger without a category takes its workflow's.
        var categoryId = workflowCategoryId;
        if (trigger.CategoryCode is { } categoryCode)
        {
            if (lookup.Categories.TryGetValue(categoryCode, out var category))
            {
                categoryId = category;
            }
            else
            {
                errors.Add("categoryCode", $"names no category of this enterprise ('{categoryCode}').");
            }
        }

        long? priorityId = null;
        if (trigger.PriorityCode is { } priorityCode)
        {
            if (lookup.Priorities.TryGetValue(priorityCode, out var priority))
            {
                priorityId = priority;
            }
            else
            {
                errors.Add("priorityCode", $"names no priority of this enterprise ('{priorityCode}').");
            }
        }

        return errors.Any
            ? (null, errors.ToProblem())
            : (new ResolvedRow(workflowId, version, stamp, categoryId, priorityId), null);
    }
}

/// <summary>What one trigger call reads in its first round trip (or finds in <see cref="TriggerLookupCache"/>).</summary>
internal sealed record Lookup(
    StoredAnswer? Stored,
    Dictionary<string, TriggerWorkflow> Workflows,
    Dictionary<string, long> Categories,
    Dictionary<string, long> Priorities);

/// <summary>
/// The columns of an enterprise's own workflow that decide whether a trigger may be stored, and the row's
/// <see cref="Stamp"/>, which any change of the row changes, so a commit can tell whether a trigger was checked
/// against the row as it still is (read and compared by <see cref="TriggerStore"/>).
/// </summary>
internal sealed record TriggerWorkflow(
    long Id, string WorkflowKey, string? PayloadSchema, long? CategoryId, string PublishStatus, bool Deactivated, int Version, string Stamp)
{
    public bool CanSend => WorkflowSendRule.CanSend(PublishStatus, Deactivated);
}

/// <param name="WorkflowStamp">The checked workflow's <see cref="TriggerWorkflow.Stamp"/>; null for a static workflow.</param>
internal sealed record ResolvedRow(long? WorkflowId, int? WorkflowVersion, string? WorkflowStamp, long? CategoryId, long? PriorityId);
