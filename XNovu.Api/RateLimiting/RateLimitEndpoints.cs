using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Api.Enterprises;

namespace XNovu.Api.RateLimiting;

/// <summary>The trigger rate, and optionally the management rates (null: the configured ones).</summary>
public sealed record RateLimitRequest(int? TriggersPerSecond, int? WritesPerSecond = null, int? ReadsPerSecond = null);

/// <summary>
/// An enterprise's effective rates and the trigger rate's source: <c>override</c>, <c>configuration</c> or
/// <c>default</c>. Events are limited per call at the trigger rate, in a bucket of their own.
/// </summary>
public sealed record RateLimitResponse(Guid EnterpriseId, int TriggersPerSecond, string Source, int WritesPerSecond, int ReadsPerSecond)
{
    public static RateLimitResponse Of(Guid enterpriseId, EffectiveRateLimit effective) =>
        new(enterpriseId, effective.TriggersPerSecond, effective.Source, effective.WritesPerSecond, effective.ReadsPerSecond);
}

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
        Guid id, EnterpriseStore enterprises, TriggerRateLimits limits, CancellationToken cancellationToken)
    {
        if (!await enterprises.ExistsAsync(id, cancellationToken))
        {
            return EnterpriseNotFound(id);
        }

        var effective = limits.Resolve(id, await limits.ReadOverrideAsync(id, cancellationToken));
        return TypedResults.Ok(RateLimitResponse.Of(id, effective));
    }

    private static async Task<Results<Ok<RateLimitResponse>, ProblemHttpResult>> PutAsync(
        Guid id, RateLimitRequest request, RateLimitStore store, TriggerRateLimits limits, CancellationToken cancellationToken)
    {
        if (request.TriggersPerSecond is not (>= 1 and <= RateLimitOptions.MaxTriggersPerSecond))
        {
            return Problems.Validation("triggersPerSecond", $"must be between 1 and {RateLimitOptions.MaxTriggersPerSecond}.");
        }

        if (request.WritesPerSecond is not (null or (>= 1 and <= RateLimitOptions.MaxTriggersPerSecond)))
        {
            return Problems.Validation("writesPerSecond", $"must be null or between 1 and {RateLimitOptions.MaxTriggersPerSecond}.");
        }

        if (request.ReadsPerSecond is not (null or (>= 1 and <= RateLimitOptions.MaxTriggersPerSecond)))
        {
            return Problems.Validation("readsPerSecond", $"must be null or between 1 and {RateLimitOptions.MaxTriggersPerSecond}.");
        }

        var stored = await store.WriteOverrideAsync(
            id, new StoredRateLimit(request.TriggersPerSecond.Value, request.WritesPerSecond, request.ReadsPerSecond), cancellationToken);
        if (stored is null)
        {
            return EnterpriseNotFound(id);
        }

        limits.Forget(id);
        return TypedResults.Ok(RateLimitResponse.Of(id, limits.Resolve(id, stored)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, EnterpriseStore enterprises, RateLimitStore store, TriggerRateLimits limits, CancellationToken cancellationToken)
    {
        if (!await enterprises.ExistsAsync(id, cancellationToken))
        {
            return EnterpriseNotFound(id);
        }

        await store.DeleteOverrideAsync(id, cancellationToken);
        limits.Forget(id);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult EnterpriseNotFound(Guid id) => Problems.NotFound($"Enterprise {id} was not found.");
}
