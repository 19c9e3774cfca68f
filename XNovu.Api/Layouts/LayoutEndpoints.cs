using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Api.Templates;
using XNovu.Api.Workflows;
using XNovu.Core.Localization;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;

namespace XNovu.Api.Layouts;

/// <summary>
/// An enterprise's email layouts (issue 30): a header and footer (Liquid, checked like a template's) and branding (logo
/// URL, colours, sender name) that an email template names with <c>layoutKey</c> and is rendered inside. Edits change
/// the draft; a publish makes the next version live, a rollback a new version with an older one's content.
/// </summary>
public static class LayoutEndpoints
{
    private const string Prefix = "/api/layouts";

    public static IEndpointRouteBuilder MapLayoutEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix).WithTags("Layouts").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        group.MapPost("/", CreateAsync);
        group.MapGet("/", async (HttpContext http, LayoutStore store, CancellationToken ct) =>
            TypedResults.Ok((await store.ListAsync(http.User.EnterpriseId(), ct)).Select(r => r.ToResponse()).ToList()));
        group.MapGet("/{layoutKey}", async Task<Results<Ok<LayoutResponse>, ProblemHttpResult>> (string layoutKey, HttpContext http, LayoutStore store, CancellationToken ct) =>
            await store.FindAsync(http.User.EnterpriseId(), layoutKey, ct) is { } row ? TypedResults.Ok(row.ToResponse()) : NotFound(layoutKey));
        group.MapPut("/{layoutKey}", UpdateAsync);
        group.MapPost("/{layoutKey}/publish", async Task<Results<Ok<LayoutResponse>, ProblemHttpResult>> (
            string layoutKey, HttpContext http, LayoutStore store, IDefinitionChangeNotifier notifier, CancellationToken ct) =>
            await ChangedAsync(layoutKey, http, notifier, await store.PublishAsync(http.User.EnterpriseId(), layoutKey, ct), ct));
        group.MapGet("/{layoutKey}/versions", async (string layoutKey, HttpContext http, LayoutStore store, CancellationToken ct) =>
            TypedResults.Ok(await store.ListVersionsAsync(http.User.EnterpriseId(), layoutKey, ct)));
        group.MapPost("/{layoutKey}/versions/{version:int}/rollback", async Task<Results<Ok<LayoutResponse>, ProblemHttpResult>> (
            string layoutKey, int version, HttpContext http, LayoutStore store, IDefinitionChangeNotifier notifier, CancellationToken ct) =>
            await ChangedAsync(layoutKey, http, notifier, await store.RollbackAsync(http.User.EnterpriseId(), layoutKey, version, ct), ct));
        group.MapPost("/{layoutKey}/preview", PreviewAsync);
        return group;
    }

    private static async Task<Results<Created<LayoutResponse>, ProblemHttpResult>> CreateAsync(
        LayoutRequest request, HttpContext http, LayoutStore store, TemplatePreviewer previewer, CancellationToken cancellationToken)
    {
        var errors = Validate(request, routeKey: null, previewer);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var row = await store.CreateAsync(http.User.EnterpriseId(), request, cancellationToken);
        return row is null
            ? Problems.Conflict($"Layout '{request.LayoutKey}' already exists.")
            : TypedResults.Created($"{Prefix}/{Uri.EscapeDataString(row.LayoutKey)}", row.ToResponse());
    }

    private static async Task<Results<Ok<LayoutResponse>, ProblemHttpResult>> UpdateAsync(
        string layoutKey, LayoutRequest request, HttpContext http, LayoutStore store, TemplatePreviewer previewer, CancellationToken cancellationToken)
    {
        var errors = Validate(request, layoutKey, previewer);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return await store.UpdateAsync(http.User.EnterpriseId(), layoutKey, request, cancellationToken) is { } row
            ? TypedResults.Ok(row.ToResponse())
            : NotFound(layoutKey);
    }

    /// <summary>The draft around a sample body, rendered as an email is (same budget, encoding and URL rules).</summary>
    private static async Task<Results<Ok<PreviewResponse>, ProblemHttpResult>> PreviewAsync(
        string layoutKey, LayoutPreviewRequest request, HttpContext http, LayoutStore store, TemplatePreviewer previewer, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var body = string.IsNullOrWhiteSpace(request.BodyTemplate) ? "<p>The email's body goes here.</p>" : request.BodyTemplate;
        if (previewer.Explain(body) is { } problem)
        {
            return Problems.Validation("bodyTemplate", problem);
        }

        if (request.Draft is { } draft && CheckContent(new ValidationErrors(), draft, previewer, "draft.") is { Any: true } draftErrors)
        {
            return draftErrors.ToProblem();
        }

        if (await store.FindAsync(enterpriseId, layoutKey, cancellationToken) is not { } row)
        {
            return NotFound(layoutKey);
        }

        // The editor's unsaved fields, when given (the console's live preview), else the stored draft.
        var layout = request.Draft is { } edited
            ? new EmailLayout(row.LayoutKey, row.LiveVersion ?? 0, edited.HeaderHtml ?? string.Empty, edited.FooterHtml ?? string.Empty,
                edited.LogoUrl, edited.PrimaryColor, edited.BackgroundColor, edited.SenderName)
            : new EmailLayout(row.LayoutKey, row.LiveVersion ?? 0, row.HeaderHtml, row.FooterHtml, row.LogoUrl, row.PrimaryColor, row.BackgroundColor, row.SenderName);
        var outcome = await previewer.RenderAsync(
            enterpriseId, NotificationChannel.Email, null, layout.Wrap(body), null, false,
            request.Payload is { ValueKind: JsonValueKind.Object } ? request.Payload : null, null, "headerHtml", cancellationToken, new Translations([]));
        return outcome.Errors is { Count: > 0 } renderErrors
            ? Problems.Validation(renderErrors, "The layout does not render.")
            : TypedResults.Ok(outcome.Preview!);
    }

    private static async Task<Results<Ok<LayoutResponse>, ProblemHttpResult>> ChangedAsync(
        string layoutKey, HttpContext http, IDefinitionChangeNotifier notifier, LayoutRow? row, CancellationToken cancellationToken)
    {
        if (row is null)
        {
            return NotFound(layoutKey);
        }

        // The layout's version is part of every resolved workflow whose templates name it.
        await notifier.WorkflowChangedAsync(http.User.EnterpriseId(), layoutKey, cancellationToken);
        return TypedResults.Ok(row.ToResponse());
    }

    private static ValidationErrors Validate(LayoutRequest request, string? routeKey, TemplatePreviewer previewer)
    {
        var errors = new ValidationErrors();
        if (routeKey is null)
        {
            Definitions.CheckNewKey(errors, request.LayoutKey, "layoutKey");
        }
        else
        {
            Definitions.CheckSameKey(errors, request.LayoutKey, routeKey, "layoutKey");
        }

        errors.Require(request.Name, "name");
        return CheckContent(errors, request, previewer, string.Empty);
    }

    /// <summary>The rules of a layout's content, for a write and for a preview of unsaved fields alike.</summary>
    private static ValidationErrors CheckContent(ValidationErrors errors, LayoutRequest request, TemplatePreviewer previewer, string prefix)
    {
        foreach (var (field, liquid) in new[] { ("headerHtml", request.HeaderHtml), ("footerHtml", request.FooterHtml) })
        {
            if (liquid is not null && previewer.Explain(liquid) is { } problem)
            {
                errors.Add(prefix + field, problem);
            }
        }

        if (request.LogoUrl is not null && !EmailLayout.IsSafeLogoUrl(request.LogoUrl))
        {
            errors.Add(prefix + "logoUrl", "must be an absolute http or https URL without quotes, braces, angle brackets or spaces.");
        }

        foreach (var (field, color) in new[] { ("primaryColor", request.PrimaryColor), ("backgroundColor", request.BackgroundColor) })
        {
            if (color is not null && !EmailLayout.IsSafeColor(color))
            {
                errors.Add(prefix + field, "must be a hex colour: #rgb, #rrggbb or with alpha.");
            }
        }

        if (request.SenderName is { Length: > 100 })
        {
            errors.Add(prefix + "senderName", "must be at most 100 characters.");
        }

        return errors;
    }

    private static ProblemHttpResult NotFound(string layoutKey) => Problems.NotFound($"Layout '{layoutKey}' was not found.");
}
