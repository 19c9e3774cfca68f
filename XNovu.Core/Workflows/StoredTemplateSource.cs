using XNovu.Core.Templates;

namespace XNovu.Core.Workflows;

/// <summary>
/// Where the template engine finds a template by key: as <see cref="WorkflowResolver.FindTemplateAsync"/> finds it,
/// so a preview and a send see the same template. Another enterprise's template is never reachable.
/// </summary>
public sealed class StoredTemplateSource(WorkflowResolver resolver) : ILiquidTemplateSource
{
    public Task<TemplateDefinition?> FindAsync(Guid? enterpriseId, string templateKey, CancellationToken cancellationToken) =>
        resolver.FindTemplateAsync(enterpriseId, templateKey, cancellationToken);
}
