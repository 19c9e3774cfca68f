using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Api.Preferences;
using XNovu.Core.Digests;
using XNovu.Core.Workflows;

namespace XNovu.Api.Digests;

/// <summary>A workflow's digest setting as stored, with when it was last set.</summary>
public sealed record DigestAnswer(string WorkflowKey, DigestSettings Digest, DateTimeOffset UpdatedAt);

/// <summary>
/// A workflow's digest, a setting of the workflow in the shape of Novu's digest step controls
/// (<see cref="DigestSettings"/>): the dispatcher groups the workflow's deliveries per subscriber and key value
/// into durable buckets and sends each bucket as one Novu event whose templates see <c>digest.events</c> and
/// <c>digest.eventCount</c>. Kept beside the workflow rather than in Novu's workflow, so XNovu's sync never
/// overwrites it.
/// </summary>
public static class DigestEndpoints
{
    public static IEndpointRouteBuilder MapDigestEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/workflows/{workflowKey}/digest").WithTags("Digests").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        group.MapGet("/", GetAsync);
        group.MapPut("/", PutAsync);
        group.MapDelete("/", DeleteAsync);
        return routes;
    }

    private static async Task<Results<Ok<DigestAnswer>, ProblemHttpResult>> GetAsync(
        string workflowKey, HttpContext http, DigestSettingsStore digests, CancellationToken cancellationToken)
    {
        var row = await digests.GetAsync(http.User.EnterpriseId(), workflowKey, cancellationToken);
        return row is { } found && DigestSettings.FromJson(found.Settings) is { } settings
            ? TypedResults.Ok(new DigestAnswer(workflowKey, settings, Utc(found.UpdatedAt)))
            : Problems.NotFound($"Workflow '{workflowKey}' has no digest.");
    }

    private static async Task<Results<Ok<DigestAnswer>, ProblemHttpResult>> PutAsync(
        string workflowKey, DigestSettings body, HttpContext http, DigestSettingsStore digests, PreferenceStore store, StaticWorkflowRegistry registry,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        foreach (var (field, message) in body.Problems())
        {
            errors.Add(field, message);
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = http.User.EnterpriseId();
        if (!(await PreferenceEndpoints.CatalogAsync(enterpriseId, store, registry, cancellationToken)).ContainsKey(workflowKey))
        {
            return Problems.NotFound($"Workflow '{workflowKey}' does not exist.");
        }

        var updatedAt = await digests.PutAsync(enterpriseId, workflowKey, body.ToJson(), cancellationToken);
        return TypedResults.Ok(new DigestAnswer(workflowKey, body, Utc(updatedAt)));
    }

    /// <summary>Removes the digest: deliveries from now on are sent one by one; buckets already open are still sent when due.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string workflowKey, HttpContext http, DigestSettingsStore digests, CancellationToken cancellationToken) =>
        await digests.DeleteAsync(http.User.EnterpriseId(), workflowKey, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound($"Workflow '{workflowKey}' has no digest.");

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
