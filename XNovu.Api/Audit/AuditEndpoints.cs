using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;

namespace XNovu.Api.Audit;

/// <summary>
/// The audit trail, newest first, paged by <c>before</c> (the id the previous page ended at) and filtered by entity
/// and time. An enterprise reads its own at <c>/api/audit</c>; the admin reads any or every enterprise's at
/// <c>/api/admin/audit</c>.
/// </summary>
public static class AuditEndpoints
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/audit", ListAsync).WithTags("Audit").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        routes.MapGet("/api/admin/audit", ListAllAsync).WithTags("Audit").RequireAuthorization(XNovuAuth.AdminPolicy);
        return routes;
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> ListAsync(
        string? entityType, string? entityKey, DateTimeOffset? from, DateTimeOffset? to, long? before, int? limit,
        HttpContext http, AuditStore store, CancellationToken cancellationToken)
    {
        if (Check(entityType, entityKey, from, to, before, limit) is { } problem)
        {
            return problem;
        }

        var query = new AuditQuery(entityType, entityKey, from, to, before, limit ?? DefaultPageSize);
        return TypedResults.Ok(Page(await store.ListAsync(http.User.EnterpriseId(), query, cancellationToken), query.Limit));
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> ListAllAsync(
        Guid? enterpriseId, string? entityType, string? entityKey, DateTimeOffset? from, DateTimeOffset? to, long? before, int? limit,
        AuditStore store, CancellationToken cancellationToken)
    {
        if (Check(entityType, entityKey, from, to, before, limit) is { } problem)
        {
            return problem;
        }

        var query = new AuditQuery(entityType, entityKey, from, to, before, limit ?? DefaultPageSize);
        return TypedResults.Ok(Page(await store.ListAllAsync(enterpriseId, query, cancellationToken), query.Limit));
    }

    private static ProblemHttpResult? Check(string? entityType, string? entityKey, DateTimeOffset? from, DateTimeOffset? to, long? before, int? limit)
    {
        var errors = new ValidationErrors();
        if (limit is < 1 or > MaxPageSize)
        {
            errors.Add("limit", $"must be between 1 and {MaxPageSize}.");
        }

        if (from is not null && to is not null && from >= to)
        {
            errors.Add("from", "must be before 'to'.");
        }

        if (before is < 1)
        {
            errors.Add("before", "must be a positive id.");
        }

        if (entityType is { Length: > 100 } || entityKey is { Length: > 200 })
        {
            errors.Add(entityType is { Length: > 100 } ? "entityType" : "entityKey", "is too long.");
        }

        return errors.Any ? errors.ToProblem() : null;
    }

    private static AuditPage Page(IReadOnlyList<AuditEventResponse> items, int limit) =>
        new(items, items.Count == limit ? items[^1].Id : null);
}
