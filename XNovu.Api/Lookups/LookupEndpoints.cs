using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;

namespace XNovu.Api.Lookups;

public sealed record LookupRequest(string? Code, string? Name, string? Description, int? SortOrder);

public sealed record LookupResponse(long Id, string Code, string Name, string? Description, int SortOrder, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>
/// Categories and priorities: the same small code list, each per enterprise, addressed by code.
/// </summary>
public static class LookupEndpoints
{
    public static IEndpointRouteBuilder MapLookupEndpoints(this IEndpointRouteBuilder routes)
    {
        Map(routes, "/api/categories", "Categories", LookupKind.Category, "Category");
        Map(routes, "/api/priorities", "Priorities", LookupKind.Priority, "Priority");
        return routes;
    }

    private static void Map(IEndpointRouteBuilder routes, string prefix, string tag, LookupKind kind, string noun)
    {
        var group = routes.MapGroup(prefix).WithTags(tag).RequireAuthorization(XNovuAuth.EnterprisePolicy);

        group.MapPost("/", async Task<Results<Created<LookupResponse>, ProblemHttpResult>> (
            LookupRequest request, HttpContext http, LookupStore store, CancellationToken cancellationToken) =>
        {
            var errors = Validate(request, requireCode: true);
            if (errors.Any)
            {
                return errors.ToProblem();
            }

            var created = await store.CreateAsync(http.User.EnterpriseId(), kind, request, cancellationToken);
            return created is null
                ? Problems.Conflict($"{noun} '{request.Code}' already exists.")
                : TypedResults.Created($"{prefix}/{Uri.EscapeDataString(created.Code)}", created);
        });

        group.MapGet("/", async (HttpContext http, LookupStore store, CancellationToken cancellationToken) =>
            TypedResults.Ok(await store.ListAsync(http.User.EnterpriseId(), kind, cancellationToken)));

        group.MapGet("/{code}", async Task<Results<Ok<LookupResponse>, ProblemHttpResult>> (
            string code, HttpContext http, LookupStore store, CancellationToken cancellationToken) =>
        {
            var row = await store.FindAsync(http.User.EnterpriseId(), kind, code, cancellationToken);
            return row is null ? Problems.NotFound($"{noun} '{code}' was not found.") : TypedResults.Ok(row);
        });

        group.MapPut("/{code}", async Task<Results<Ok<LookupResponse>, ProblemHttpResult>> (
            string code, LookupRequest request, HttpContext http, LookupStore store, CancellationToken cancellationToken) =>
        {
            var errors = Validate(request, requireCode: false);
            if (errors.Any)
            {
                return errors.ToProblem();
            }

            var row = await store.UpdateAsync(http.User.EnterpriseId(), kind, code, request, cancellationToken);
            return row is null ? Problems.NotFound($"{noun} '{code}' was not found.") : TypedResults.Ok(row);
        });

        group.MapDelete("/{code}", async Task<Results<NoContent, ProblemHttpResult>> (
            string code, HttpContext http, LookupStore store, CancellationToken cancellationToken) =>
            await store.DeleteAsync(http.User.EnterpriseId(), kind, code, cancellationToken)
                ? TypedResults.NoContent()
                : Problems.NotFound($"{noun} '{code}' was not found."));
    }

    private static ValidationErrors Validate(LookupRequest request, bool requireCode)
    {
        var errors = new ValidationErrors();
        if (requireCode)
        {
            errors.Require(request.Code, "code", maxLength: 100);
        }

        return errors.Require(request.Name, "name");
    }
}
