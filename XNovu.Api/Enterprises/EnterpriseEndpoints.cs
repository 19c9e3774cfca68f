using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Persistence;

namespace XNovu.Api.Enterprises;

public sealed record CreateEnterpriseRequest(string? Name, string? Description);

public sealed record EnterpriseResponse(Guid Id, string Name, string? Description, bool Deactivated, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record CreateApiKeyRequest(string? Name);

public sealed record ApiKeyResponse(Guid Id, string Name, string Prefix, DateTime CreatedAt, DateTime? RevokedAt);

/// <summary>The key itself is in this answer only; it is stored as a hash.</summary>
public sealed record CreatedApiKeyResponse(Guid Id, string Name, string Prefix, string Key, DateTime CreatedAt);

/// <summary>Enterprises and their API keys: the admin's API.</summary>
public static class EnterpriseEndpoints
{
    private const string EnterpriseColumns =
        "id, name, description, deactivated, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public static RouteGroupBuilder MapEnterpriseEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/enterprises")
            .WithTags("Admin: enterprises")
            .RequireAuthorization(XNovuAuth.AdminPolicy);

        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:guid}", GetAsync);
        group.MapPost("/{id:guid}/api-keys", CreateKeyAsync);
        group.MapGet("/{id:guid}/api-keys", ListKeysAsync);
        group.MapDelete("/{id:guid}/api-keys/{keyId:guid}", RevokeKeyAsync);
        group.MapEnterpriseLifecycleEndpoints();
        return group;
    }

    private static async Task<Results<Created<EnterpriseResponse>, ProblemHttpResult>> CreateAsync(
        CreateEnterpriseRequest request, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().Require(request.Name, "name");
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // The new enterprise's own id scopes the insert, so the row passes its own policy.
        var id = Guid.CreateVersion7();
        var created = await database.InTenantAsync(id, session => session.Connection.QuerySingleAsync<EnterpriseResponse>(
            $"INSERT INTO notify.enterprise (id, name, description) VALUES (@id, @name, @description) RETURNING {EnterpriseColumns}",
            new { id, name = request.Name!.Trim(), request.Description },
            session.Transaction), cancellationToken);
        return TypedResults.Created($"/api/admin/enterprises/{id}", created);
    }

    private static async Task<Ok<IReadOnlyList<EnterpriseResponse>>> ListAsync(XNovuDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        var rows = await connection.QueryAsync<EnterpriseResponse>($"SELECT {EnterpriseColumns} FROM notify.list_enterprises()");
        return TypedResults.Ok<IReadOnlyList<EnterpriseResponse>>(rows.AsList());
    }

    private static async Task<Results<Ok<EnterpriseResponse>, ProblemHttpResult>> GetAsync(
        Guid id, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var found = await FindAsync(database, id, cancellationToken);
        return found is null ? EnterpriseNotFound(id) : TypedResults.Ok(found);
    }

    private static async Task<Results<Created<CreatedApiKeyResponse>, ProblemHttpResult>> CreateKeyAsync(
        Guid id, CreateApiKeyRequest request, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().Require(request.Name, "name");
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var (key, prefix, hash) = ApiKeys.Generate();
        var keyId = Guid.CreateVersion7();
        var created = await database.InTenantAsync(id, async session =>
        {
            var exists = await session.Connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM notify.enterprise WHERE id = @id)", new { id }, session.Transaction);
            if (!exists)
            {
                return null;
            }

            return await session.Connection.QuerySingleAsync<DateTime?>(
                """
                INSERT INTO notify.enterprise_api_key (id, enterprise_id, name, key_prefix, key_hash)
                VALUES (@keyId, @id, @name, @prefix, @hash)
                RETURNING created_at
                """,
                new { keyId, id, name = request.Name!.Trim(), prefix, hash },
                session.Transaction);
        }, cancellationToken);

        return created is { } createdAt
            ? TypedResults.Created($"/api/admin/enterprises/{id}/api-keys/{keyId}", new CreatedApiKeyResponse(keyId, request.Name!.Trim(), prefix, key, createdAt))
            : EnterpriseNotFound(id);
    }

    private static async Task<Results<Ok<IReadOnlyList<ApiKeyResponse>>, ProblemHttpResult>> ListKeysAsync(
        Guid id, XNovuDatabase database, CancellationToken cancellationToken)
    {
        if (await FindAsync(database, id, cancellationToken) is null)
        {
            return EnterpriseNotFound(id);
        }

        var keys = await database.InTenantAsync(id, session => session.Connection.QueryAsync<ApiKeyResponse>(
            "SELECT id, name, key_prefix AS Prefix, created_at AS CreatedAt, revoked_at AS RevokedAt FROM notify.enterprise_api_key ORDER BY created_at, id",
            transaction: session.Transaction), cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ApiKeyResponse>>(keys.AsList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKeyAsync(
        Guid id, Guid keyId, XNovuDatabase database, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var prefix = await database.InTenantAsync(id, session => session.Connection.QuerySingleOrDefaultAsync<string>(
            "UPDATE notify.enterprise_api_key SET revoked_at = coalesce(revoked_at, now()) WHERE id = @keyId RETURNING key_prefix",
            new { keyId },
            session.Transaction), cancellationToken);
        if (prefix is null)
        {
            return Problems.NotFound($"API key {keyId} of enterprise {id} was not found.");
        }

        EnterpriseKeyHandler.Forget(cache, prefix);
        return TypedResults.NoContent();
    }

    private static Task<EnterpriseResponse?> FindAsync(XNovuDatabase database, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, session => session.Connection.QuerySingleOrDefaultAsync<EnterpriseResponse>(
            $"SELECT {EnterpriseColumns} FROM notify.enterprise WHERE id = @id", new { id }, session.Transaction), cancellationToken);

    private static ProblemHttpResult EnterpriseNotFound(Guid id) => Problems.NotFound($"Enterprise {id} was not found.");
}
