using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Api.Lookups;
using XNovu.Core.Json;
using XNovu.Core.Persistence;
using XNovu.Api.Workflows;

namespace XNovu.Api.Templates;

/// <summary>
/// The SQL of an enterprise's templates. Each call is one tenant transaction, so row-level security keeps it
/// inside the caller's enterprise; a key of another enterprise is simply not found.
/// </summary>
public sealed class TemplateStore(XNovuDatabase database)
{
    /// <summary>The created template, or a problem: the key is taken, or the category is unknown.</summary>
    internal Task<(TemplateRow? Row, ProblemHttpResult? Problem)> CreateAsync(
        Guid enterpriseId, TemplateRequest request, CancellationToken cancellationToken) =>
        database.InTenantAsync<(TemplateRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var key = request.TemplateKey!;
            if (await CheckLayoutAsync(session, request) is { } layoutProblem)
            {
                return (null, layoutProblem);
            }

            var (categoryId, categoryProblem) = await LookupStore.ResolveCategoryAsync(session, request.CategoryCode);
            if (categoryProblem is not null)
            {
                return (null, categoryProblem);
            }

            var created = await session.Connection.QuerySingleOrDefaultAsync<TemplateRow>(
                $"""
                WITH t AS (
                    INSERT INTO notify.ent_notification_template
                        (enterprise_id, template_key, name, description, channel_type, subject_template, body_template,
                         variables_description, notification_category_id, payload_at_root, locales, layout_key)
                    VALUES (@enterpriseId, @key, @name, @description, @channelType::notify.notification_channel_type,
                            @subjectTemplate, @bodyTemplate, @variablesDescription::jsonb, @categoryId, @payloadAtRoot,
                            coalesce(@locales::jsonb, jsonb_build_object()), @layoutKey)
                    ON CONFLICT (enterprise_id, template_key) DO NOTHING
                    RETURNING *)
                SELECT {TemplateRow.Columns} FROM t {TemplateRow.From}
                """,
                Parameters(request, enterpriseId, key, categoryId),
                session.Transaction);
            return created is null ? (null, Problems.Conflict($"Template '{key}' already exists.")) : (created, null);
        }, cancellationToken);

    internal async Task<IReadOnlyList<TemplateRow>> ListAsync(
        Guid enterpriseId, string? channel, string? publishStatus, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<TemplateRow>(
            $"""
            SELECT {TemplateRow.Columns} FROM notify.ent_notification_template t {TemplateRow.From}
            WHERE (@channel::text IS NULL OR t.channel_type::text = @channel)
              AND (@publishStatus::text IS NULL OR t.publish_status::text = @publishStatus)
            ORDER BY t.template_key
            """,
            new { channel, publishStatus },
            session.Transaction), cancellationToken)).AsList();

    internal Task<TemplateRow?> FindAsync(Guid enterpriseId, string templateKey, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<TemplateRow>(
            $"SELECT {TemplateRow.Columns} FROM notify.ent_notification_template t {TemplateRow.From} WHERE t.template_key = @templateKey",
            new { templateKey }, session.Transaction), cancellationToken);

    /// <summary>The updated template; a null row and no problem when the enterprise has no such template.</summary>
    internal Task<(TemplateRow? Row, ProblemHttpResult? Problem)> UpdateAsync(
        Guid enterpriseId, string templateKey, TemplateRequest request, CancellationToken cancellationToken) =>
        database.InTenantAsync<(TemplateRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var exists = await session.Connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM notify.ent_notification_template WHERE template_key = @templateKey)",
                new { templateKey }, session.Transaction);
            if (!exists)
            {
                return (null, null);
            }

            if (await CheckLayoutAsync(session, request) is { } layoutProblem)
            {
                return (null, layoutProblem);
            }

            var (categoryId, categoryProblem) = await LookupStore.ResolveCategoryAsync(session, request.CategoryCode);
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
                        payload_at_root = @payloadAtRoot, locales = coalesce(@locales::jsonb, jsonb_build_object()),
                        layout_key = @layoutKey, updated_at = now()
                    WHERE template_key = @key
                    RETURNING *)
                SELECT {TemplateRow.Columns} FROM t {TemplateRow.From}
                """,
                Parameters(request, enterpriseId, templateKey, categoryId),
                session.Transaction);
            return (updated, null);
        }, cancellationToken);

    /// <summary>The changed template; null when the enterprise has no such template.</summary>
    internal Task<TemplateRow?> SetStateAsync(
        Guid enterpriseId, string templateKey, StateChange change, CancellationToken cancellationToken)
    {
        var assignment = change.ToAssignment();
        return database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<TemplateRow>(
            $"""
            WITH t AS (
                UPDATE notify.ent_notification_template SET {assignment}, updated_at = now()
                WHERE template_key = @templateKey
                RETURNING *)
            SELECT {TemplateRow.Columns} FROM t {TemplateRow.From}
            """,
            new { templateKey },
            session.Transaction), cancellationToken);
    }

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
        locales = Jsonb.ToColumn(request.Locales),
        request.LayoutKey,
    };

    /// <summary>A layout the request names that the enterprise does not have (issue 30).</summary>
    private static async Task<ProblemHttpResult?> CheckLayoutAsync(TenantSession session, TemplateRequest request) =>
        request.LayoutKey is { } layoutKey && !await XNovu.Api.Layouts.LayoutStore.ExistsAsync(session, layoutKey)
            ? Problems.Validation("layoutKey", $"names no layout of this enterprise ('{layoutKey}').")
            : null;
}
