using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Operations;

namespace XNovu.Api.NovuSync;

/// <summary>How many workflows were put back in the sync queue, and when.</summary>
public sealed record NovuSyncRequested(int Workflows, DateTimeOffset RequestedAt);

/// <summary>
/// <c>POST /api/admin/novu/sync</c>: every workflow of every enterprise, and every static workflow, is synced
/// to Novu again now. The dispatchers do the work (woken by NOTIFY); the answer is 202 with the count, and each
/// workflow's <c>novuSync</c> shows its progress. Also the AppHost's "Sync Novu workflows" command.
/// </summary>
public static class NovuSyncEndpoints
{
    public static IEndpointRouteBuilder MapNovuSyncEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(AdminRoutes.NovuSync, SyncAllAsync).WithTags("Operations").RequireAuthorization(XNovuAuth.AdminPolicy);
        return routes;
    }

    private static async Task<Accepted<NovuSyncRequested>> SyncAllAsync(NovuSyncStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var count = await store.RequestSyncAllAsync(cancellationToken);
        return TypedResults.Accepted((string?)null, new NovuSyncRequested(count, time.GetUtcNow()));
    }
}
