using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Caching.Memory;
using XNovu.Api.Authentication;
using XNovu.Api.Http;

namespace XNovu.Api.Enterprises;

/// <summary>Either field may be left out to keep it.</summary>
public sealed record UpdateEnterpriseRequest(string? Name, string? Description);

/// <summary>The enterprise's floor for CRON intervals, in seconds; null returns it to the deployment's default.</summary>
public sealed record RuleLimitsRequest(int? MinCronIntervalSeconds);

public sealed record EnterpriseDeletionAccepted(Guid Id, string Status);

/// <summary>
/// Offboarding, for the admin: rename (<c>PATCH</c>), deactivate and reactivate (keys then get 403, triggers,
/// events and rules stop, pending deliveries are held and sent after reactivation), delete (202: the enterprise
/// disappears at once and its rows are removed in batches by <see cref="EnterprisePurgeWorker"/>), and the
/// per-enterprise CRON floor that may allow sub-minute schedules.
/// </summary>
public static class EnterpriseLifecycleEndpoints
{
    public static RouteGroupBuilder MapEnterpriseLifecycleEndpoints(this RouteGroupBuilder group)
    {
        group.MapPatch("/{id:guid}", RenameAsync);
        group.MapPost("/{id:guid}/deactivate", (Guid id, EnterpriseStore store, IMemoryCache cache, CancellationToken cancellationToken) =>
            SetDeactivatedAsync(id, true, store, cache, cancellationToken));
        group.MapPost("/{id:guid}/reactivate", (Guid id, EnterpriseStore store, IMemoryCache cache, CancellationToken cancellationToken) =>
            SetDeactivatedAsync(id, false, store, cache, cancellationToken));
        group.MapDelete("/{id:guid}", DeleteAsync);
        group.MapPut("/{id:guid}/rule-limits", SetRuleLimitsAsync);
        return group;
    }

    public static IHostApplicationBuilder AddXNovuOffboarding(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OffboardingOptions>()
            .BindConfiguration(OffboardingOptions.SectionName)
            .Validate(o => o.PurgeBatchSize is > 0 and <= 100_000 && o.PurgeInterval > TimeSpan.Zero,
                $"{OffboardingOptions.SectionName}: PurgeBatchSize must be 1 to 100000 and PurgeInterval positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<EnterprisePurgeSignal>();
        builder.Services.AddHostedService<EnterprisePurgeWorker>();
        return builder;
    }

    private static async Task<Results<Ok<EnterpriseStateResponse>, ProblemHttpResult>> RenameAsync(
        Guid id, UpdateEnterpriseRequest request, EnterpriseStore store, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (request.Name is not null)
        {
            errors.Require(request.Name, "name");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var updated = await store.RenameAsync(id, request.Name?.Trim(), request.Description, cancellationToken);
        return updated is null ? NotFound(id) : TypedResults.Ok(updated);
    }

    private static async Task<Results<Ok<EnterpriseStateResponse>, ProblemHttpResult>> SetDeactivatedAsync(
        Guid id, bool deactivated, EnterpriseStore store, IMemoryCache cache, CancellationToken cancellationToken)
    {
        var updated = await store.SetDeactivatedAsync(id, deactivated, cancellationToken);
        if (updated is null)
        {
            return NotFound(id);
        }

        await ForgetKeysAsync(id, store, cache, cancellationToken);
        return TypedResults.Ok(updated);
    }

    private static async Task<Results<Accepted<EnterpriseDeletionAccepted>, ProblemHttpResult>> DeleteAsync(
        Guid id, EnterpriseStore store, IMemoryCache cache, EnterprisePurgeSignal purge, CancellationToken cancellationToken)
    {
        if (await store.MarkDeletedAsync(id, cancellationToken) is null)
        {
            return NotFound(id);
        }

        await ForgetKeysAsync(id, store, cache, cancellationToken);
        purge.Wake();
        return TypedResults.Accepted((string?)null, new EnterpriseDeletionAccepted(id, "deleting"));
    }

    private static async Task<Results<Ok<EnterpriseStateResponse>, ProblemHttpResult>> SetRuleLimitsAsync(
        Guid id, RuleLimitsRequest request, EnterpriseStore store, CancellationToken cancellationToken)
    {
        if (request.MinCronIntervalSeconds is < 1)
        {
            return Problems.Validation("minCronIntervalSeconds", "must be at least 1 second, or null for the deployment's default.");
        }

        var updated = await store.SetMinCronIntervalAsync(id, request.MinCronIntervalSeconds, cancellationToken);
        return updated is null ? NotFound(id) : TypedResults.Ok(updated);
    }

    /// <summary>This replica forgets the keys at once; other replicas within the key cache's few seconds.</summary>
    private static async Task ForgetKeysAsync(Guid id, EnterpriseStore store, IMemoryCache cache, CancellationToken cancellationToken)
    {
        foreach (var prefix in await store.KeyPrefixesAsync(id, cancellationToken))
        {
            EnterpriseKeyHandler.Forget(cache, prefix);
        }
    }

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"Enterprise {id} was not found.");
}
