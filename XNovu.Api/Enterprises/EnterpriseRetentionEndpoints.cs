using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using XNovu.Api.Http;

namespace XNovu.Api.Enterprises;

/// <summary>An enterprise's own retention in whole days, shorter than the deployment's; null returns it to the deployment's.</summary>
public sealed record RetentionRequest(int? RetentionDays);

/// <param name="RetentionDays">The enterprise's own retention in days; null: the deployment's (<c>XNovu:Retention:MaxAge</c>).</param>
public sealed record EnterpriseRetentionResponse(Guid Id, int? RetentionDays)
{
    /// <summary>The longest retention an enterprise may set: the deployment's, in whole days.</summary>
    public int MaxRetentionDays { get; init; }
}

/// <summary>
/// Issue 32: an enterprise's history kept shorter than the deployment's (an admin setting; an enterprise's own key
/// cannot reach these routes). The dispatchers' retention pass deletes its finished notifications past it, with their
/// deliveries, events and transaction keys, in batches inside the young day partitions; until then the enterprise's
/// notification reads hide them (<c>notify.history_kept_since</c>). A body that is not a whole number is 400 and a
/// number out of range (below 1, above the deployment's days) 422, each writing nothing.
/// </summary>
public static class EnterpriseRetentionEndpoints
{
    public static RouteGroupBuilder MapEnterpriseRetentionEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/{id:guid}/retention", GetAsync);
        group.MapPut("/{id:guid}/retention", SetAsync);
        return group;
    }

    public static IHostApplicationBuilder AddXNovuEnterpriseRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EnterpriseRetentionOptions>()
            .BindConfiguration(EnterpriseRetentionOptions.SectionName)
            .Validate(o => o.MaxAge >= TimeSpan.FromHours(1), "XNovu:Retention:MaxAge must be at least 1 hour.")
            .ValidateOnStart();
        return builder;
    }

    private static async Task<Results<Ok<EnterpriseRetentionResponse>, ProblemHttpResult>> GetAsync(
        Guid id, EnterpriseStore store, IOptions<EnterpriseRetentionOptions> options, CancellationToken cancellationToken)
    {
        var found = await store.RetentionAsync(id, cancellationToken);
        return found is null ? NotFound(id) : TypedResults.Ok(found with { MaxRetentionDays = options.Value.MaxEnterpriseDays });
    }

    private static async Task<Results<Ok<EnterpriseRetentionResponse>, ProblemHttpResult>> SetAsync(
        Guid id, RetentionRequest request, EnterpriseStore store, IOptions<EnterpriseRetentionOptions> options, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxEnterpriseDays;
        if (request.RetentionDays is { } days && (days < 1 || days > max))
        {
            return Problems.Validation("retentionDays", max < 1
                ? $"cannot be set: the deployment keeps history {options.Value.MaxAge} (XNovu:Retention:MaxAge), less than a day; send null."
                : $"must be a whole number of days from 1 to {max} (the deployment's XNovu:Retention:MaxAge), or null for the deployment's.");
        }

        var updated = await store.SetRetentionAsync(id, request.RetentionDays, cancellationToken);
        return updated is null ? NotFound(id) : TypedResults.Ok(updated with { MaxRetentionDays = max });
    }

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"Enterprise {id} was not found.");
}
