using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Api.Workflows;
using XNovu.Core.Persistence;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;

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
        group.MapPost("/{templateKey}/publish", (string templateKey, HttpContext http, XNovuDatabase database, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken) =>
            SetStateAsync(templateKey, $"publish_status = '{PublishStatuses.Publish}'", http, database, notifier, cancellationToken));
        group.MapPost("/{templateKey}/unpublish", (string templateKey, HttpContext http, XNovuDatabase database, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken) =>
            SetStateAsync(templateKey, $"publish_status = '{PublishStatuses.Draft}'", http, database, notifier, cancellationToken));
        group.MapPost("/{templateKey}/deactivate", (string templateKey, HttpContext http, XNovuDatabase database, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken) =>
            SetStateAsync(templateKey, "deactivated = true", http, database, notifier, cancellationToken));
        return group;
    }

    private static async Task<Results<Created<TemplateResponse>, ProblemHttpResult>> CreateAsync(
        TemplateRequest request, HttpContext http, XNovuDatabase database, TemplatePreviewer previewer, IDefinitionChangeNotifier notifier, CancellationToken cancellationToken)
    {
        var (errors, notes) = Validate(ref request, routeKey: null, previewer);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = http.User.EnterpriseId();
        var key = request.TemplateKey!;
        var (row, problem) = await database.InTenantAsync<(TemplateRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var (categoryId, categoryProblem) = await Definitions.ResolveCategoryAsync(session, request.CategoryCode);
            if (categoryProblem is not null)
            {
                return (null, categoryProblem);
            }

            var created = await session.Connection.QuerySingleOrDefaultAsync<TemplateRow>(
                $"""
                WITH t AS (
                    INSERT INTO notify.ent_notification_template
                        (enterprise_id, template_key, name, description, channel_type, subject_template, body_template,
                         variables_description, notification_category_id, payload_at_root)
                    VALUES (@enterpriseId, @key, @name, @description, @channelType::notify.notification_channel_type,
                            @subjectTemplate, @bodyTemplate, @variablesDescription::jsonb, @categoryId, @payloadAtRoot)
                    ON CONFLICT (enterprise_id, template_key) DO NOTHING
                    RETURNING *)
                SELECT {TemplateRow.Columns} FROM t {TemplateRow.From}
                """,
                Parameters(request, enterpriseId, key, categoryId),
                session.Transaction);
            return created is null ? (null, Problems.Conflict($"Template '{key}' already exists.")) : (created, null);
        }, cancellationToken);

        if (problem is not null)
        {
            return problem;
        }

        await notifier.TemplateChangedAsync(enterpriseId, key, cancellationToken);
        return TypedResults.Created($"{Prefix}/{Uri.EscapeDataString(key)}", row!.ToResponse(notes));
    }

    private static async Task<Results<Ok<IReadOnlyList<TemplateResponse>>, ProblemHttpResult>> ListAsync(
        string? channel, string? publishStatus, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken)
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

        var rows = await database.InTenantAsync(http.User.EnterpriseId(), session => session.Connection.QueryAsync<TemplateRow>(
            $"""
            SELECT {TemplateRow.Columns} FROM notify.ent_notification_template t {TemplateRow.From}
            WHERE (@channel::text IS NULL OR t.channel_type::text = @channel)
              AND (@publishStatus::text IS NULL OR t.publish_status::text = @publishStatus)
            ORDER BY t.template_key
            """,
            new { channel, publishStatus },
            session.Transaction), cancellationToken);
        return TypedResults.Ok<IReadOnlyList<TemplateResponse>>(rows.Select(r => r.ToResponse()).ToList());
    }

    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> GetAsync(
        string templateKey, HttpContext http, XNovuDatabase database, CancellationToken cancellationToken)
    {
        var row = await database.InTenantAsync(http.User.EnterpriseId(), session => FindAsync(session, templateKey), cancellationToken);
        return row is null ? NotFound(templateKey) : TypedResults.Ok(row.ToResponse());
    }

    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> UpdateAsync(
        string templateKey,
        TemplateRequest request,
        HttpContext http,
        XNovuDatabase database,
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
        var (row, problem) = await database.InTenantAsync<(TemplateRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var exists = await session.Connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM notify.ent_notification_template WHERE template_key = @templateKey)",
                new { templateKey }, session.Transaction);
            if (!exists)
            {
                return (null, NotFound(templateKey));
            }

            var (categoryId, categoryProblem) = await Definitions.ResolveCategoryAsync(session, request.CategoryCode);
            if (categoryProblem is not null)
            {
                return (null, categoryProblem);
            }

            var updated = await session.Connection.QuerySingleAsync<TemplateRow>(
                $"""
                WITH t AS (
                    UPDATE notify.ent_notification_template
                    SET name = @name, description = @description, channel_type = @channelType::notify.notification_channel_type,
                        subject_template = @subjectTemplate, body_template = @bodyTemplate,
                        variables_description = @variablesDescription::jsonb, notification_category_id = @categoryId,
                        payload_at_root = @payloadAtRoot, updated_at = now()
                    WHERE template_key = @key
                    RETURNING *)
                SELECT {TemplateRow.Columns} FROM t {TemplateRow.From}
                """,
                Parameters(request, enterpriseId, templateKey, categoryId),
                session.Transaction);
            return (updated, null);
        }, cancellationToken);

        if (problem is not null)
        {
            return problem;
        }

        await notifier.TemplateChangedAsync(enterpriseId, templateKey, cancellationToken);
        return TypedResults.Ok(row!.ToResponse(notes));
    }

    /// <param name="assignment">A fixed SQL assignment chosen by this class, never by a request.</param>
    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> SetStateAsync(
        string templateKey,
        string assignment,
        HttpContext http,
        XNovuDatabase database,
        IDefinitionChangeNotifier notifier,
        CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var row = await database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<TemplateRow>(
            $"""
            WITH t AS (
                UPDATE notify.ent_notification_template SET {assignment}, updated_at = now()
                WHERE template_key = @templateKey
                RETURNING *)
            SELECT {TemplateRow.Columns} FROM t {TemplateRow.From}
            """,
            new { templateKey },
            session.Transaction), cancellationToken);
        if (row is null)
        {
            return NotFound(templateKey);
        }

        await notifier.TemplateChangedAsync(enterpriseId, templateKey, cancellationToken);
        return TypedResults.Ok(row.ToResponse());
    }

    private static async Task<Results<Ok<PreviewResponse>, ProblemHttpResult>> PreviewAsync(
        PreviewRequest request, HttpContext http, TemplatePreviewer previewer, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (Jsonb.IsPresent(request.Payload) && request.Payload!.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("payload", "must be an object.");
        }

        if (Jsonb.IsPresent(request.Subscriber) && request.Subscriber!.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("subscriber", "must be an object.");
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

        var outcome = await previewer.RenderAsync(
            enterpriseId,
            template!.Channel,
            template.SubjectTemplate,
            template.BodyTemplate,
            field == "templateKey" ? template.TemplateKey : null,
            template.PayloadAtRoot,
            request.Payload,
            request.Subscriber,
            field,
            cancellationToken);
        return outcome.Errors is { Count: > 0 } renderErrors
            ? Problems.Validation(renderErrors, "The template does not render.")
            : TypedResults.Ok(outcome.Preview!);
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

        if (Jsonb.IsPresent(request.VariablesDescription) && request.VariablesDescription!.Value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("variablesDescription", "must be an object describing each variable.");
        }

        return (errors, notes);
    }

    private static Task<TemplateRow?> FindAsync(TenantSession session, string templateKey) =>
        session.Connection.QuerySingleOrDefaultAsync<TemplateRow>(
            $"SELECT {TemplateRow.Columns} FROM notify.ent_notification_template t {TemplateRow.From} WHERE t.template_key = @templateKey",
            new { templateKey }, session.Transaction);

    private static object Parameters(TemplateRequest request, Guid enterpriseId, string key, long? categoryId) => new
    {
        enterpriseId,
        key,
        name = request.Name!.Trim(),
        request.Description,
        request.ChannelType,
        request.SubjectTemplate,
        request.BodyTemplate,
        variablesDescription = Jsonb.ToColumn(request.VariablesDescription),
        categoryId,
        request.PayloadAtRoot,
    };

    private static ProblemHttpResult NotFound(string templateKey) => Problems.NotFound($"Template '{templateKey}' was not found.");
}
