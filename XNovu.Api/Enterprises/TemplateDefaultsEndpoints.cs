using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Persistence;
using XNovu.Core.Workflows;

namespace XNovu.Api.Enterprises;

/// <param name="PayloadAtRoot">
/// Whether the enterprise's templates see payload keys at the Liquid root (<c>{{ userName }}</c>) as well as
/// under <c>payload</c>, as the original XNovu rendered them; a template's own <c>payloadAtRoot</c> wins.
/// </param>
public sealed record TemplateDefaultsRequest(bool? PayloadAtRoot);

public sealed record TemplateDefaultsResponse(Guid EnterpriseId, bool PayloadAtRoot);

/// <summary><c>GET</c>/<c>PUT /api/admin/enterprises/{id}/template-defaults</c>: the enterprise's template defaults.</summary>
public static class TemplateDefaultsEndpoints
{
    public static RouteGroupBuilder MapTemplateDefaultsEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/enterprises/{id:guid}/template-defaults")
            .WithTags("Admin: enterprises")
            .RequireAuthorization(XNovuAuth.AdminPolicy);
        group.MapGet("/", GetAsync);
        group.MapPut("/", PutAsync);
        return group;
    }

    private static async Task<Results<Ok<TemplateDefaultsResponse>, ProblemHttpResult>> GetAsync(
        Guid id, TemplateDefaultsStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } payloadAtRoot
            ? TypedResults.Ok(new TemplateDefaultsResponse(id, payloadAtRoot))
            : NotFound(id);

    private static async Task<Results<Ok<TemplateDefaultsResponse>, ProblemHttpResult>> PutAsync(
        Guid id, TemplateDefaultsRequest request, TemplateDefaultsStore store, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken)
    {
        if (request.PayloadAtRoot is not { } payloadAtRoot)
        {
            return Problems.Validation("payloadAtRoot", "is required (true or false).");
        }

        if (await store.SetAsync(id, payloadAtRoot, cancellationToken) is not { } following)
        {
            return NotFound(id);
        }

        // Cached workflows embed their templates' effective setting: those that follow the default change now.
        foreach (var templateKey in following)
        {
            await notifier.TemplateChangedAsync(id, templateKey, cancellationToken);
        }

        return TypedResults.Ok(new TemplateDefaultsResponse(id, payloadAtRoot));
    }

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"Enterprise {id} was not found.");
}
