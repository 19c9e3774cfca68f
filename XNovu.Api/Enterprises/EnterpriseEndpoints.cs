using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using XNovu.Api.Authentication;
using XNovu.Api.Http;

namespace XNovu.Api.Enterprises;

public sealed record CreateEnterpriseRequest(string? Name, string? Description);

public sealed record EnterpriseResponse(Guid Id, string Name, string? Description, bool Deactivated, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>A new key; with <c>expiresAt</c> (in the future) it stops working at that instant, as if revoked.</summary>
public sealed record CreateApiKeyRequest(string? Name, DateTimeOffset? ExpiresAt = null);

public sealed record ApiKeyResponse(Guid Id, string Name, string Prefix, DateTime CreatedAt, DateTime? RevokedAt, DateTime? ExpiresAt);

/// <summary>The key itself is in this answer only; it is stored as a hash.</summary>
public sealed record CreatedApiKeyResponse(Guid Id, string Name, string Prefix, string Key, DateTime CreatedAt, DateTime? ExpiresAt);

/// <summary>Enterprises and their API keys: the admin's API.</summary>
public static class EnterpriseEndpoints
{
    public static RouteGroupBuilder MapEnterpriseEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/enterprises")
            .WithTags("Admin: enterprises")
            .RequireAuthorization(XNovuAuth.AdminPolicy);

        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:guid}", GetAsync);
        // Issue 30: a key's creation and revocation are in its enterprise's audit trail (ApiKeyStore records them).
        group.MapPost("/{id:guid}/api-keys", CreateKeyAsync);
        group.MapGet("/{id:guid}/api-keys", ListKeysAsync);
        group.MapDelete("/{id:guid}/api-keys/{keyId:guid}", RevokeKeyAsync);
        group.MapEnterpriseLifecycleEndpoints();
        group.MapEnterpriseRetentionEndpoints();
        return group;
    }

    private static async Task<Results<Created<EnterpriseResponse>, ProblemHttpResult>> CreateAsync(
        CreateEnterpriseRequest request, EnterpriseStore store, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().Require(request.Name, "name");
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var id = Guid.CreateVersion7();
        var created = await store.CreateAsync(id, request.Name!.Trim(), request.Description, cancellationToken);
        return TypedResults.Created($"/api/admin/enterprises/{id}", created);
    }

    private static async Task<Ok<IReadOnlyList<EnterpriseResponse>>> ListAsync(EnterpriseStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    private static async Task<Results<Ok<EnterpriseResponse>, ProblemHttpResult>> GetAsync(
        Guid id, EnterpriseStore store, CancellationToken cancellationToken)
    {
        var found = await store.FindAsync(id, cancellationToken);
        return found is null ? EnterpriseNotFound(id) : TypedResults.Ok(found);
    }

    private static async Task<Results<Created<CreatedApiKeyResponse>, ProblemHttpResult>> CreateKeyAsync(
        Guid id, CreateApiKeyRequest request, ApiKeyStore keys, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().Require(request.Name, "name");
        if (request.ExpiresAt is { } expiresAt && expiresAt <= time.GetUtcNow())
        {
            errors.Add("expiresAt", "must be in the future.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var (key, prefix, hash) = ApiKeys.Generate();
        var keyId = Guid.CreateVersion7();
        var name = request.Name!.Trim();
        var expires = request.ExpiresAt?.UtcDateTime;
        var created = await keys.CreateAsync(id, keyId, name, prefix, hash, expires, cancellationToken);
        return created is { } createdAt
            ? TypedResults.Created($"/api/admin/enterprises/{id}/api-keys/{keyId}", new CreatedApiKeyResponse(keyId, name, prefix, key, createdAt, expires))
            : EnterpriseNotFound(id);
    }

    private static async Task<Results<Ok<IReadOnlyList<ApiKeyResponse>>, ProblemHttpResult>> ListKeysAsync(
        Guid id, EnterpriseStore store, ApiKeyStore keys, CancellationToken cancellationToken)
    {
        if (!await store.ExistsAsync(id, cancellationToken))
        {
            return EnterpriseNotFound(id);
        }

        return TypedResults.Ok(await keys.ListAsync(id, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKeyAsync(
        Guid id, Guid keyId, ApiKeyStore keys, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var prefix = await keys.RevokeAsync(id, keyId, cancellationToken);
        if (prefix is null)
        {
            return Problems.NotFound($"API key {keyId} of enterprise {id} was not found.");
        }

        EnterpriseKeyHandler.Forget(cache, prefix);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult EnterpriseNotFound(Guid id) => Problems.NotFound($"Enterprise {id} was not found.");
}
