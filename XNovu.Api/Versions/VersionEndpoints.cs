using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Api.Templates;
using XNovu.Api.Workflows;
using XNovu.Core.Workflows;

namespace XNovu.Api.Versions;

/// <summary>
/// Versions of templates and workflows (issue 30): list them, read one, diff two, and roll a template back (a
/// rollback is a new version with the old content, and the draft becomes that content too). A template's publish is
/// here as well, since a publish is what makes a version.
/// </summary>
public static class VersionEndpoints
{
    public static IEndpointRouteBuilder MapVersionEndpoints(this IEndpointRouteBuilder routes)
    {
        var templates = routes.MapGroup("/api/templates/{templateKey}/versions").WithTags("Templates").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        templates.MapGet("/", ListTemplateVersionsAsync);
        templates.MapGet("/diff", DiffTemplateVersionsAsync);
        templates.MapGet("/{version:int}", GetTemplateVersionAsync);
        templates.MapPost("/{version:int}/rollback", RollbackTemplateAsync);

        var workflows = routes.MapGroup("/api/workflows/{workflowKey}/versions").WithTags("Workflows").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        workflows.MapGet("/", ListWorkflowVersionsAsync);
        workflows.MapGet("/diff", DiffWorkflowVersionsAsync);
        workflows.MapGet("/{version:int}", GetWorkflowVersionAsync);
        workflows.MapPost("/{version:int}/rollback", RollbackWorkflowAsync);
        return routes;
    }

    /// <summary>Publishes the draft as the next version, unless a locale it claims lacks translation keys (422 listing them).</summary>
    internal static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> PublishTemplateAsync(
        string templateKey, HttpContext http, TemplateVersionStore store, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var (row, problem) = await store.PublishAsync(enterpriseId, templateKey, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (row is null)
        {
            return Problems.NotFound($"Template '{templateKey}' was not found.");
        }

        await notifier.TemplateChangedAsync(enterpriseId, templateKey, cancellationToken);
        return TypedResults.Ok(row.ToResponse());
    }

    private static async Task<Results<Ok<IReadOnlyList<TemplateVersionResponse>>, ProblemHttpResult>> ListTemplateVersionsAsync(
        string templateKey, HttpContext http, TemplateStore templates, TemplateVersionStore store, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var versions = await store.ListAsync(enterpriseId, templateKey, cancellationToken);
        if (versions.Count == 0 && await templates.FindAsync(enterpriseId, templateKey, cancellationToken) is null)
        {
            return Problems.NotFound($"Template '{templateKey}' was not found.");
        }

        return TypedResults.Ok<IReadOnlyList<TemplateVersionResponse>>(versions.Select(v => v.ToResponse()).ToList());
    }

    private static async Task<Results<Ok<TemplateVersionResponse>, ProblemHttpResult>> GetTemplateVersionAsync(
        string templateKey, int version, HttpContext http, TemplateVersionStore store, CancellationToken cancellationToken)
    {
        var found = await store.FindAsync(http.User.EnterpriseId(), templateKey, [version], cancellationToken);
        return found.TryGetValue(version, out var row) ? TypedResults.Ok(row.ToResponse()) : VersionNotFound("Template", templateKey, version);
    }

    private static async Task<Results<Ok<VersionDiffResponse>, ProblemHttpResult>> DiffTemplateVersionsAsync(
        string templateKey, int? from, int? to, HttpContext http, TemplateVersionStore store, CancellationToken cancellationToken)
    {
        if (CheckPair(from, to) is { } problem)
        {
            return problem;
        }

        var found = await store.FindAsync(http.User.EnterpriseId(), templateKey, [from!.Value, to!.Value], cancellationToken);
        if (!found.TryGetValue(from.Value, out var before) || !found.TryGetValue(to.Value, out var after))
        {
            return VersionNotFound("Template", templateKey, found.ContainsKey(from.Value) ? to.Value : from.Value);
        }

        return TypedResults.Ok(new VersionDiffResponse(from.Value, to.Value, TextDiff.Compare(before.Fields(), after.Fields())));
    }

    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> RollbackTemplateAsync(
        string templateKey, int version, HttpContext http, TemplateVersionStore store, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var row = await store.RollbackAsync(enterpriseId, templateKey, version, cancellationToken);
        if (row is null)
        {
            return VersionNotFound("Template", templateKey, version);
        }

        await notifier.TemplateChangedAsync(enterpriseId, templateKey, cancellationToken);
        return TypedResults.Ok(row.ToResponse());
    }

    private static async Task<Results<Ok<WorkflowResponse>, ProblemHttpResult>> RollbackWorkflowAsync(
        string workflowKey, int version, HttpContext http, WorkflowStore store, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var (row, problem) = await store.RollbackAsync(enterpriseId, workflowKey, version, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (row is null)
        {
            return Problems.NotFound($"Workflow '{workflowKey}' was not found.");
        }

        await notifier.WorkflowChangedAsync(enterpriseId, workflowKey, cancellationToken);
        return TypedResults.Ok(row.ToResponse());
    }

    private static async Task<Ok<IReadOnlyList<WorkflowVersionResponse>>> ListWorkflowVersionsAsync(
        string workflowKey, HttpContext http, WorkflowVersionStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<WorkflowVersionResponse>>(
            (await store.ListAsync(http.User.EnterpriseId(), workflowKey, null, cancellationToken)).Select(v => v.ToResponse()).ToList());

    private static async Task<Results<Ok<WorkflowVersionResponse>, ProblemHttpResult>> GetWorkflowVersionAsync(
        string workflowKey, int version, HttpContext http, WorkflowVersionStore store, CancellationToken cancellationToken)
    {
        var found = await store.ListAsync(http.User.EnterpriseId(), workflowKey, [version], cancellationToken);
        return found.Count == 1 ? TypedResults.Ok(found[0].ToResponse()) : VersionNotFound("Workflow", workflowKey, version);
    }

    private static async Task<Results<Ok<VersionDiffResponse>, ProblemHttpResult>> DiffWorkflowVersionsAsync(
        string workflowKey, int? from, int? to, HttpContext http, WorkflowVersionStore store, CancellationToken cancellationToken)
    {
        if (CheckPair(from, to) is { } problem)
        {
            return problem;
        }

        var found = (await store.ListAsync(http.User.EnterpriseId(), workflowKey, [from!.Value, to!.Value], cancellationToken)).ToDictionary(v => v.Version);
        if (!found.TryGetValue(from.Value, out var before) || !found.TryGetValue(to.Value, out var after))
        {
            return VersionNotFound("Workflow", workflowKey, found.ContainsKey(from.Value) ? to.Value : from.Value);
        }

        return TypedResults.Ok(new VersionDiffResponse(from.Value, to.Value, TextDiff.Compare(before.Fields(), after.Fields())));
    }

    private static ProblemHttpResult? CheckPair(int? from, int? to)
    {
        var errors = new ValidationErrors();
        if (from is null or < 1)
        {
            errors.Add("from", "is required: a version number.");
        }

        if (to is null or < 1)
        {
            errors.Add("to", "is required: a version number.");
        }

        return errors.Any ? errors.ToProblem() : null;
    }

    private static ProblemHttpResult VersionNotFound(string kind, string key, int version) =>
        Problems.NotFound($"{kind} '{key}' has no version {version}.");
}
