using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Persistence;

namespace XNovu.Api.RateLimiting;

public sealed record RateLimitRequest(int? TriggersPerSecond);

/// <summary>An enterprise's effective trigger rate and its source: <c>override</c>, <c>configuration</c> or <c>default</c>.</summary>
public sealed record RateLimitResponse(Guid EnterpriseId, int TriggersPerSecond, string Source);

/// <summary>
/// The admin's per-enterprise override of the trigger rate. It is stored in PostgreSQL and takes effect
/// at once on the replica that wrote it, and within <see cref="RateLimitOptions.OverrideCacheDuration"/> on the others.
/// </summary>
public static class RateLimitEndpoints
{
    public static RouteGroupBuilder MapRateLimitEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/enterprises/{id:guid}/rate-limit")
            .WithTags("Admin: rate limits")
            .RequireAuthorization(XNovuAuth.AdminPolicy);

        group.MapGet("/", GetAsync);
        group.MapPut("/", PutAsync);
        group.MapDelete("/", DeleteAsync);
        return group;
    }

    private static async Task<Results<Ok<RateLimitResponse>, ProblemHttpResult>> GetAsync(
        Guid id, XNovuDatabase database, TriggerRateLimits limits, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(database, id, cancellationToken))
        {
            return EnterpriseNotFound(id);
        }

        var effective = limits.Resolve(id, await limits.ReadOverrideAsync(id, cancellationToken));
        return TypedResults.Ok(new RateLimitResponse(id, effective.TriggersPerSecond, effective.Source));
    }

    private static async Task<Results<Ok<RateLimitResponse>, ProblemHttpResult>> PutAsync(
        Guid id, RateLimitRequest request, XNovuDatabase database, TriggerRateLimits limits, CancellationToken cancellationToken)
    {
        if (request.TriggersPerSecond is not (>= 1 and <= RateLimitOptions.MaxTriggersPerSecond))
        {
            return Problems.Validation("triggersPerSecond", $"must be between 1 and {RateLimitOptions.MaxTriggersPerSecond}.");
        }

        var stored = await database.InTenantAsync(id, session => session.Connection.QuerySingleOrDefaultAsync<int?>(
            """
            INSERT INTO notify.enterprise_rate_limit (enterprise_id, triggers_per_second)
            SELECT @id, @perSecond WHERE EXISTS (SELECT 1 FROM notify.enterprise WHERE id = @id)
            ON CONFLICT (enterprise_id) DO UPDATE SET triggers_per_second = excluded.triggers_per_second, updated_at = now()
            RETURNING triggers_per_second
            """,
            new { id, perSecond = request.TriggersPerSecond.Value },
            session.Transaction), cancellationToken);
        if (stored is null)
        {
            return EnterpriseNotFound(id);
        }

        limits.Forget(id);
        return TypedResults.Ok(new RateLimitResponse(id, stored.Value, EffectiveRateLimit.Override));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, XNovuDatabase database, TriggerRateLimits limits, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(database, id, cancellationToken))
        {
            return EnterpriseNotFound(id);
        }

        await database.InTenantAsync(id, session => session.Connection.ExecuteAsync(
            "DELETE FROM notify.enterprise_rate_limit WHERE enterprise_id = @id", new { id }, session.Transaction), cancellationToken);
        limits.Forget(id);
        return TypedResults.NoContent();
    }

    private static Task<bool> ExistsAsync(XNovuDatabase database, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, session => session.Connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM notify.enterprise WHERE id = @id)", new { id }, session.Transaction), cancellationToken);

    private static ProblemHttpResult EnterpriseNotFound(Guid id) => Problems.NotFound($"Enterprise {id} was not found.");
}
