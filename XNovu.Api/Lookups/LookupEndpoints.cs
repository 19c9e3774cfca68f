using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Persistence;

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
        Map(routes, "/api/categories", "Categories", "notify.typ_notification_category", "Category");
        Map(routes, "/api/priorities", "Priorities", "notify.typ_notification_priority", "Priority");
        return routes;
    }

    private static void Map(IEndpointRouteBuilder routes, string prefix, string tag, string table, string noun)
    {
        var columns = "id, code, name, description, sort_order AS SortOrder, created_at AS CreatedAt, updated_at AS UpdatedAt";
        var group = routes.MapGroup(prefix).WithTags(tag).RequireAuthorization(XNovuAuth.EnterprisePolicy);

        group.MapPost("/", async Task<Results<Created<LookupResponse>, ProblemHttpResult>> (
            LookupRequest request, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken) =>
        {
            var errors = Validate(request, requireCode: true);
            if (errors.Any)
            {
                return errors.ToProblem();
            }

            var enterpriseId = http.User.EnterpriseId();
            var created = await database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<LookupResponse>(
                $"""
                INSERT INTO {table} (enterprise_id, code, name, description, sort_order)
                VALUES (@enterpriseId, @code, @name, @description, @sortOrder)
                ON CONFLICT (enterprise_id, code) DO NOTHING
                RETURNING {columns}
                """,
                new { enterpriseId, code = request.Code!.Trim(), name = request.Name!.Trim(), request.Description, sortOrder = request.SortOrder ?? 0 },
                session.Transaction), cancellationToken);
            return created is null
                ? Problems.Conflict($"{noun} '{request.Code}' already exists.")
                : TypedResults.Created($"{prefix}/{Uri.EscapeDataString(created.Code)}", created);
        });

        group.MapGet("/", async (HttpContext http, XNovuDatabase database, CancellationToken cancellationToken) =>
        {
            var rows = await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.QueryAsync<LookupResponse>(
                $"SELECT {columns} FROM {table} ORDER BY sort_order, code", transaction: session.Transaction), cancellationToken);
            return TypedResults.Ok<IReadOnlyList<LookupResponse>>(rows.AsList());
        });

        group.MapGet("/{code}", async Task<Results<Ok<LookupResponse>, ProblemHttpResult>> (
            string code, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken) =>
        {
            var row = await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.QuerySingleOrDefaultAsync<LookupResponse>(
                $"SELECT {columns} FROM {table} WHERE code = @code", new { code }, session.Transaction), cancellationToken);
            return row is null ? Problems.NotFound($"{noun} '{code}' was not found.") : TypedResults.Ok(row);
        });

        group.MapPut("/{code}", async Task<Results<Ok<LookupResponse>, ProblemHttpResult>> (
            string code, LookupRequest request, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken) =>
        {
            var errors = Validate(request, requireCode: false);
            if (errors.Any)
            {
                return errors.ToProblem();
            }

            var row = await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.QuerySingleOrDefaultAsync<LookupResponse>(
                $"""
                UPDATE {table}
                SET name = @name, description = @description, sort_order = coalesce(@sortOrder, sort_order), updated_at = now()
                WHERE code = @code
                RETURNING {columns}
                """,
                new { code, name = request.Name!.Trim(), request.Description, request.SortOrder },
                session.Transaction), cancellationToken);
            return row is null ? Problems.NotFound($"{noun} '{code}' was not found.") : TypedResults.Ok(row);
        });

        group.MapDelete("/{code}", async Task<Results<NoContent, ProblemHttpResult>> (
            string code, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken) =>
        {
            var deleted = await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.ExecuteAsync(
                $"DELETE FROM {table} WHERE code = @code", new { code }, session.Transaction), cancellationToken);
            return deleted == 0 ? Problems.NotFound($"{noun} '{code}' was not found.") : TypedResults.NoContent();
        });
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
