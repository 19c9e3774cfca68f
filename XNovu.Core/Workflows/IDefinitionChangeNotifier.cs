namespace XNovu.Core.Workflows;

/// <summary>
/// Told whenever the management API changes a template or a workflow, so that whoever caches them
/// (the template engine's parsed templates, the dispatcher's workflow lists) can drop the stale copy.
/// </summary>
public interface IDefinitionChangeNotifier
{
    Task TemplateChangedAsync(Guid enterpriseId, string templateKey, CancellationToken cancellationToken);

    Task WorkflowChangedAsync(Guid enterpriseId, string workflowKey, CancellationToken cancellationToken);
}
