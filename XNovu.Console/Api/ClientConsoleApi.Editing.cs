using XNovu.Client.Api.Models;

namespace XNovu.Console.Api;

// Issue 30's editing calls: a template's versions, and email layouts with their versions and previews.
public sealed partial class ClientConsoleApi
{
    public async Task<IReadOnlyList<TemplateVersionItem>> ListTemplateVersionsAsync(string templateKey, CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<TemplateVersionItem>>(client.Api.Templates[templateKey].Versions.ToGetRequestInformation(), null, cancellationToken);

    public Task<VersionDiff> DiffTemplateVersionsAsync(string templateKey, int from, int to, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<VersionDiff>(
            client.Api.Templates[templateKey].Versions.Diff.ToGetRequestInformation(c => (c.QueryParameters.From, c.QueryParameters.To) = (from, to)), null, cancellationToken);

    public Task<TemplateItem> RollbackTemplateAsync(string templateKey, int version, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<TemplateItem>(client.Api.Templates[templateKey].Versions[version].Rollback.ToPostRequestInformation(), null, cancellationToken);

    public async Task<IReadOnlyList<LayoutItem>> ListLayoutsAsync(CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<LayoutItem>>(client.Api.Layouts.ToGetRequestInformation(), null, cancellationToken);

    public Task<LayoutItem> GetLayoutAsync(string layoutKey, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<LayoutItem>(client.Api.Layouts[layoutKey].ToGetRequestInformation(), null, cancellationToken);

    public Task<LayoutItem> SaveLayoutAsync(LayoutInput layout, bool isNew, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<LayoutItem>(
            isNew
                ? client.Api.Layouts.ToPostRequestInformation(new LayoutRequest())
                : client.Api.Layouts[layout.LayoutKey].ToPutRequestInformation(new LayoutRequest()),
            layout,
            cancellationToken);

    public Task<LayoutItem> PublishLayoutAsync(string layoutKey, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<LayoutItem>(client.Api.Layouts[layoutKey].Publish.ToPostRequestInformation(), null, cancellationToken);

    public async Task<IReadOnlyList<LayoutVersionItem>> ListLayoutVersionsAsync(string layoutKey, CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<LayoutVersionItem>>(client.Api.Layouts[layoutKey].Versions.ToGetRequestInformation(), null, cancellationToken);

    public Task<LayoutItem> RollbackLayoutAsync(string layoutKey, int version, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<LayoutItem>(client.Api.Layouts[layoutKey].Versions[version].Rollback.ToPostRequestInformation(), null, cancellationToken);

    public Task<PreviewResult> PreviewLayoutAsync(string layoutKey, LayoutPreviewInput input, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<PreviewResult>(client.Api.Layouts[layoutKey].Preview.ToPostRequestInformation(new LayoutPreviewRequest()), input, cancellationToken);
}
