using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Api.Workflows;
using XNovu.Core.Localization;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;
using XNovu.Core.Json;

namespace XNovu.Api.Templates;

/// <summary>
/// An enterprise's Liquid templates, addressed by key. Every write parses the Liquid first, so a template
/// that would fail at send time is refused when it is written, with the line and column of the fault.
/// </summary>
public static class TemplateEndpoints
{
    private const string Prefix = "/api/templates";

    public static RouteGroupBuilder MapTemplateEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix).WithTags("Templates").RequireAuthorization(XNovuAuth.EnterprisePolicy);

        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapPost("/preview", PreviewAsync);
        group.MapGet("/{templateKey}", GetAsync);
        group.MapPut("/{templateKey}", UpdateAsync);
        // A publish makes the draft the next version (Versions/): the row is the draft, the live version is what is sent.
        group.MapPost("/{templateKey}/publish", XNovu.Api.Versions.VersionEndpoints.PublishTemplateAsync);
        group.MapPost("/{templateKey}/unpublish", (string templateKey, HttpContext http, TemplateStore store, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken) =>
            SetStateAsync(templateKey, StateChange.Unpublish, http, store, notifier, cancellationToken));
        group.MapPost("/{templateKey}/deactivate", (string templateKey, HttpContext http, TemplateStore store, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken) =>
            SetStateAsync(templateKey, StateChange.Deactivate, http, store, notifier, cancellationToken));
        return group;
    }

    private static async Task<Results<Created<TemplateResponse>, ProblemHttpResult>> CreateAsync(
        TemplateRequest request, HttpContext http, TemplateStore store, TemplatePreviewer previewer, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken)
    {
        var (errors, notes) = Validate(ref request, routeKey: null, previewer);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = http.User.EnterpriseId();
        var key = request.TemplateKey!;
        var (row, problem) = await store.CreateAsync(enterpriseId, request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await notifier.TemplateChangedAsync(enterpriseId, key, cancellationToken);
        return TypedResults.Created($"{Prefix}/{Uri.EscapeDataString(key)}", row!.ToResponse(notes));
    }

    private static async Task<Results<Ok<IReadOnlyList<TemplateResponse>>, ProblemHttpResult>> ListAsync(
        string? channel, string? publishStatus, HttpContext http, TemplateStore store, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (channel is not null && !NotificationChannels.IsKnown(channel))
        {
            errors.Add("channel", $"must be one of {string.Join(", ", NotificationChannels.All)}.");
        }

        if (publishStatus is not null && !PublishStatuses.All.Contains(publishStatus))
        {
            errors.Add("publishStatus", $"must be one of {string.Join(", ", PublishStatuses.All)}.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var rows = await store.ListAsync(http.User.EnterpriseId(), channel, publishStatus, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<TemplateResponse>>(rows.Select(r => r.ToResponse()).ToList());
    }

    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> GetAsync(
        string templateKey, HttpContext http, TemplateStore store, CancellationToken cancellationToken)
    {
        var row = await store.FindAsync(http.User.EnterpriseId(), templateKey, cancellationToken);
        return row is null ? NotFound(templateKey) : TypedResults.Ok(row.ToResponse());
    }

    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> UpdateAsync(
        string templateKey,
        TemplateRequest request,
        HttpContext http,
        TemplateStore store,
        TemplatePreviewer previewer,
        IDefinitionChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var (errors, notes) = Validate(ref request, templateKey, previewer);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = http.User.EnterpriseId();
        var (row, problem) = await store.UpdateAsync(enterpriseId, templateKey, request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (row is null)
        {
            return NotFound(templateKey);
        }

        await notifier.TemplateChangedAsync(enterpriseId, templateKey, cancellationToken);
        return TypedResults.Ok(row.ToResponse(notes));
    }

    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> SetStateAsync(
        string templateKey,
        StateChange change,
        HttpContext http,
        TemplateStore store,
        IDefinitionChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var row = await store.SetStateAsync(enterpriseId, templateKey, change, cancellationToken);
        if (row is null)
        {
            return NotFound(templateKey);
        }

        await notifier.TemplateChangedAsync(enterpriseId, templateKey, cancellationToken);
        return TypedResults.Ok(row.ToResponse());
    }

    private static async Task<Results<Ok<PreviewResponse>, ProblemHttpResult>> PreviewAsync(
        PreviewRequest request, HttpContext http, TemplatePreviewer previewer, LocalizationCache localizations, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (request.Locale is not null && Locales.Normalize(request.Locale) is null)
        {
            errors.Add("locale", "is not a locale (a language such as 'fr', optionally with a region: 'fr-BE' or 'fr_BE').");
        }

        if (Jsonb.IsPresent(request.Payload) && request.Payload!.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("payload", "must be an object.");
        }

        if (Jsonb.IsPresent(request.Subscriber) && request.Subscriber!.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("subscriber", "must be an object.");
        }

        if (Jsonb.IsPresent(request.DigestEvents) && Core.Digests.DigestVariables.SampleProblem(request.DigestEvents!.Value) is { } digestProblem)
        {
            errors.Add("digestEvents", digestProblem);
        }

        var enterpriseId = http.User.EnterpriseId();
        TemplateDefinition? template;
        string field;
        if (!string.IsNullOrWhiteSpace(request.TemplateKey))
        {
            // Found as sending would find it: the enterprise's own template shadows a static one with its key.
            template = await previewer.FindAsync(enterpriseId, request.TemplateKey, cancellationToken);
            field = "templateKey";
            if (template is null)
            {
                errors.Add(field, $"names no template of this enterprise ('{request.TemplateKey}').");
            }
        }
        else
        {
            field = "bodyTemplate";
            var notes = new List<string>();
            request = request with
            {
                SubjectTemplate = LegacyTemplates.Rewrite(request.SubjectTemplate, "subjectTemplate", errors, notes),
                BodyTemplate = LegacyTemplates.Rewrite(request.BodyTemplate, field, errors, notes),
            };
            Definitions.CheckChannel(errors, request.ChannelType, "channelType");
            if (string.IsNullOrWhiteSpace(request.BodyTemplate))
            {
                errors.Add(field, "is required unless templateKey names a stored template.");
            }
            else
            {
                CheckLiquid(errors, previewer, request.BodyTemplate, field);
            }

            if (request.SubjectTemplate is not null)
            {
                CheckLiquid(errors, previewer, request.SubjectTemplate, "subjectTemplate");
            }

            template = NotificationChannelNames.TryParse(request.ChannelType, out var channel) && request.BodyTemplate is not null
                ? new TemplateDefinition(
                    enterpriseId, "preview", channel, request.SubjectTemplate, request.BodyTemplate, DateTimeOffset.UnixEpoch, request.PayloadAtRoot ?? false)
                : null;
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        // Any locale (issue 30): the variant and catalogs the chain from the asked locale (else the sample
        // subscriber's) reaches, as a send would choose them.
        var asked = request.Locale ?? (request.Subscriber is { ValueKind: JsonValueKind.Object } sample
            && sample.TryGetProperty("locale", out var given) && given.ValueKind == JsonValueKind.String ? given.GetString() : null);
        var localization = await localizations.GetAsync(enterpriseId, [asked], cancellationToken);
        var (chosen, locale) = LocaleVariants.Choose(
            template!, Locales.Chain(asked, localization.DefaultLocale), localization.Catalogs.Keys.ToHashSet(StringComparer.Ordinal), localization.DefaultLocale);
        var missingKeys = TranslationCheck.MissingAlong(
            chosen.SubjectTemplate, chosen.BodyTemplate, Locales.Chain(asked, localization.DefaultLocale), localization.Catalogs);
        chosen = EmailLayout.Apply(chosen);
        var outcome = await previewer.RenderAsync(
            enterpriseId,
            chosen.Channel,
            chosen.SubjectTemplate,
            chosen.BodyTemplate,
            field == "templateKey" ? chosen.TemplateKey : null,
            chosen.PayloadAtRoot,
            request.Payload,
            request.Subscriber,
            field,
            cancellationToken,
            localization.TranslationsFor(locale).WithPlaceholders(missingKeys),
            locale,
            Jsonb.IsPresent(request.DigestEvents)
                ? Core.Digests.DigestVariables.Sample([.. request.DigestEvents!.Value.EnumerateArray()], time.GetUtcNow())
                : null);
        return outcome.Errors is { Count: > 0 } renderErrors
            ? Problems.Validation(renderErrors, "The template does not render.")
            : TypedResults.Ok(outcome.Preview! with { MissingKeys = missingKeys });
    }

    private static void CheckLiquid(ValidationErrors errors, TemplatePreviewer previewer, string liquid, string field)
    {
        if (previewer.Explain(liquid) is { } problem)
        {
            errors.Add(field, problem);
        }
    }

    /// <summary>Checks the request, after rewriting the original XNovu's include syntax in it (see <see cref="LegacyTemplates"/>).</summary>
    private static (ValidationErrors Errors, IReadOnlyList<string> Notes) Validate(ref TemplateRequest request, string? routeKey, TemplatePreviewer previewer)
    {
        var errors = new ValidationErrors();
        (request, var notes) = LegacyTemplates.Rewrite(request, errors);
        if (routeKey is null)
        {
            Definitions.CheckNewKey(errors, request.TemplateKey, "templateKey");
        }
        else
        {
            Definitions.CheckSameKey(errors, request.TemplateKey, routeKey, "templateKey");
        }

        errors.Require(request.Name, "name");
        Definitions.CheckChannel(errors, request.ChannelType, "channelType");
        if (string.IsNullOrWhiteSpace(request.BodyTemplate))
        {
            errors.Add("bodyTemplate", "is required.");
        }
        else
        {
            CheckLiquid(errors, previewer, request.BodyTemplate, "bodyTemplate");
        }

        if (request.SubjectTemplate is not null)
        {
            CheckLiquid(errors, previewer, request.SubjectTemplate, "subjectTemplate");
        }

        if (request.LayoutKey is not null && request.ChannelType != "EMAIL")
        {
            errors.Add("layoutKey", "only an EMAIL template is rendered inside a layout.");
        }

        // Locale variants (issue 30), checked like the body and kept under canonical locale names.
        var explain = (string liquid) => previewer.Explain(liquid);
        request = request with { Locales = XNovu.Api.Localization.TranslationValidation.CheckVariants(request.Locales, errors, explain) };

        if (Jsonb.IsPresent(request.VariablesDescription) && request.VariablesDescription!.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("variablesDescription", "must be an object describing each variable.");
        }

        return (errors, notes);
    }

    private static ProblemHttpResult NotFound(string templateKey) => Problems.NotFound($"Template '{templateKey}' was not found.");
}
