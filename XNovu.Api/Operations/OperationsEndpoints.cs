using Microsoft.AspNetCore.Authentication;
using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Api.Workflows;
using XNovu.Core.Persistence;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;
using XNovu.Core.Telemetry;

namespace XNovu.Api.Operations;

/// <summary>
/// What an operator watches and does. <c>/api/health</c> and <c>/api/dev-studio-status</c> take no key, as in
/// the original, because probes carry none: they answer component states, timings and Novu's public URL only.
/// <c>/api/metrics</c> takes the admin key: its counts (enterprises, backlog, deliveries) are the whole
/// system's, which no tenant and no anonymous caller should watch. An enterprise key sees and clears only its
/// own enterprise's share of the template cache; the admin key sees and clears all of it. What changes the
/// whole system (retry failed, clear cache, reload rules) takes the admin key, and the AppHost's dashboard
/// commands send it.
/// </summary>
public static class OperationsEndpoints
{
    public static IEndpointRouteBuilder MapOperationsEndpoints(this IEndpointRouteBuilder routes)
    {
        var open = routes.MapGroup("/api").WithTags("Operations").AllowAnonymous();
        open.MapGet("/health", HealthAsync);
        open.MapGet("/dev-studio-status", DevStudioStatusAsync);
        routes.MapGet("/api/metrics", MetricsAsync).WithTags("Operations").RequireAuthorization(XNovuAuth.AdminPolicy);

        // A literal segment outranks /api/templates/{templateKey} in routing, so "cache" never reaches the
        // template endpoints (so a template keyed "cache" cannot be read by GET).
        var cache = routes.MapGroup("/api/templates/cache").WithTags("Templates").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        cache.MapGet("/", TemplateCacheStats);
        cache.MapDelete("/", ClearTemplateCache);

        var admin = routes.MapGroup(AdminRoutes.Prefix).WithTags("Operations").RequireAuthorization(XNovuAuth.AdminPolicy);
        admin.MapPost(AdminRoutes.RetryFailedSegment, RetryFailedAsync);
        admin.MapGet(AdminRoutes.TemplateCacheSegment, AdminTemplateCacheStats);
        admin.MapPost(AdminRoutes.ClearTemplateCacheSegment, AdminClearTemplateCache);
        admin.MapPost(AdminRoutes.ReloadRulesSegment, ReloadRulesAsync);
        return routes;
    }

    private static async Task<JsonHttpResult<HealthReport>> HealthAsync(SystemHealth health, HttpContext http, CancellationToken cancellationToken)
    {
        var report = await health.CheckAsync(cancellationToken);
        if (!await IsAdminAsync(http))
        {
            // Which enterprises have their own Novu is not for anonymous probes: they get the verdict only.
            report = report with { NovuEnvironments = [] };
        }

        return TypedResults.Json(
            report,
            statusCode: report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    private static async Task<Results<Ok<OperationsMetrics>, ProblemHttpResult>> MetricsAsync(
        WorkflowStore workflows, OperationsStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            var stats = await workflows.StatsAsync(cancellationToken);
            var backlog = await store.BacklogAsync(cancellationToken);
            var deliveries = await store.DeliveriesAsync(cancellationToken);
            var now = time.GetUtcNow();
            using var process = Process.GetCurrentProcess();
            var started = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
            return TypedResults.Ok(new OperationsMetrics(
                new RegistryMetrics(stats.Total, stats.Static, stats.Dynamic, stats.Enterprises),
                new UptimeMetrics(started, Math.Round((now - started).TotalSeconds, 1)),
                new MemoryMetrics(process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: false)),
                backlog,
                deliveries,
                now));
        }
        catch (System.Data.Common.DbException)
        {
            return Unavailable("The database does not answer; see /api/health.");
        }
    }

    private static async Task<Ok<DevStudioStatus>> DevStudioStatusAsync(NovuProbe novu, HttpContext http, TimeProvider time, CancellationToken cancellationToken)
    {
        var admin = await IsAdminAsync(http);
        IReadOnlyList<NovuProbe.Result> results;
        try
        {
            results = await novu.ProbeAllAsync(cancellationToken);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            // The enterprises' environments cannot be read: the shared one can still be checked.
            results = [await novu.ProbeSharedAsync(cancellationToken)];
        }

        var shared = results[0];
        return TypedResults.Ok(new DevStudioStatus(
            shared.Credentials == NovuProbe.Authorized, shared.Environment.DisplayUrl, shared.LatencyMs, shared.StatusCode, shared.Error, time.GetUtcNow())
        {
            Credentials = shared.Credentials,
            Environments = !admin ? [] : results.Skip(1).Select(r => new NovuEnvironmentStatus(
                r.Environment.EnterpriseId!.Value, r.Credentials == NovuProbe.Authorized, r.Credentials, r.LatencyMs, r.StatusCode, r.Error)).ToList(),
        });
    }

    /// <summary>These routes take no key; with the admin key they also list each enterprise's own Novu environment.</summary>
    private static async Task<bool> IsAdminAsync(HttpContext http) =>
        (await http.AuthenticateAsync(XNovuAuth.AdminScheme)).Succeeded;

    private static Ok<TemplateCacheResponse> TemplateCacheStats(ITemplateEngine engine, ClaimsPrincipal user) =>
        TypedResults.Ok(CacheResponse(engine.GetStats(user.EnterpriseId())));

    /// <summary>
    /// Clears the caller's enterprise's parsed templates on this instance; they are parsed again from the source
    /// on next use. Another enterprise's entries stay: one tenant cannot make another's renders slower.
    /// </summary>
    private static NoContent ClearTemplateCache(ITemplateEngine engine, ClaimsPrincipal user)
    {
        engine.Clear(user.EnterpriseId());
        return TypedResults.NoContent();
    }

    private static Ok<TemplateCacheResponse> AdminTemplateCacheStats(ITemplateEngine engine) => TypedResults.Ok(CacheResponse(engine.GetStats()));

    private static TemplateCacheResponse CacheResponse(TemplateCacheStats stats) =>
        new(stats.Total, stats.Valid, stats.Expired, stats.Hits, stats.Misses);

    private static async Task<Results<Ok<RetryFailedAllResponse>, ProblemHttpResult>> RetryFailedAsync(
        RetryFailedAllRequest? request, OperationsStore store, IOptions<OperationsOptions> options, CancellationToken cancellationToken)
    {
        var limit = request?.Limit ?? options.Value.RetryFailedDefaultLimit;
        if (limit < 1 || limit > options.Value.RetryFailedMaxLimit)
        {
            return Problems.Validation("limit", $"must be between 1 and {options.Value.RetryFailedMaxLimit}.");
        }

        return TypedResults.Ok(await store.RetryFailedAsync(limit, cancellationToken));
    }

    private static Ok<OperationDone> AdminClearTemplateCache(ITemplateEngine engine, TimeProvider time)
    {
        engine.Clear();
        return TypedResults.Ok(new OperationDone("clear-template-cache", time.GetUtcNow()));
    }

    private static async Task<Ok<OperationDone>> ReloadRulesAsync(OperationsStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        await store.ReloadRulesAsync(cancellationToken);
        return TypedResults.Ok(new OperationDone("reload-rules", time.GetUtcNow()));
    }

    private static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable", type: Problems.Types.Unavailable);
}
