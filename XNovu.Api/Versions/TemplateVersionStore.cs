using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Api.Templates;
using XNovu.Core.Localization;
using XNovu.Core.Persistence;

namespace XNovu.Api.Versions;

/// <summary>
/// The SQL of template versions (issue 30). A template row is its draft; a publish copies it into the next version and
/// makes that version live; a rollback copies an older version back into the draft and publishes it as a new version.
/// Versions are only ever added. Each call is one tenant transaction holding the template row, so two publishes of
/// one template take turns and never claim the same number.
/// </summary>
public sealed class TemplateVersionStore(XNovuDatabase database)
{
    /// <summary>The published template; a problem when a claimed locale lacks translation keys; null row and no problem when there is no such template.</summary>
    internal Task<(TemplateRow? Row, ProblemHttpResult? Problem)> PublishAsync(Guid enterpriseId, string templateKey, CancellationToken cancellationToken) =>
        database.InTenantAsync<(TemplateRow?, ProblemHttpResult?)>(enterpriseId, async session =>
        {
            var draft = await session.Connection.QuerySingleOrDefaultAsync<(string? Subject, string Body, string Locales)>(
                """
                SELECT subject_template, body_template, locales::text FROM notify.ent_notification_template
                WHERE template_key = @templateKey FOR UPDATE
                """,
                new { templateKey }, session.Transaction);
            if (draft.Body is null)
            {
                return (null, null);
            }

            var variants = LocaleVariants.Parse(draft.Locales);
            var defaultLocale = await session.Connection.ExecuteScalarAsync<string?>(
                "SELECT default_locale FROM notify.enterprise WHERE id = @enterpriseId", new { enterpriseId }, session.Transaction);
            var locales = variants.Keys.Append(defaultLocale).SelectMany(l => Locales.Chain(l, defaultLocale)).Distinct().ToArray();
            var catalogs = (await session.Connection.QueryAsync<(string Locale, string Entries)>(
                    "SELECT locale, entries::text FROM notify.ent_translation_catalog WHERE locale = ANY(@locales)",
                    new { locales }, session.Transaction))
                .ToDictionary(c => c.Locale, c => JsonElement.Parse(c.Entries), StringComparer.Ordinal);
            var missing = TranslationCheck.Missing(draft.Subject, draft.Body, variants, defaultLocale, catalogs);
            if (missing.Count > 0)
            {
                return (null, Problems.Validation(
                    missing.ToDictionary(m => $"locales.{m.Key}", m => new[] { $"missing translation keys: {string.Join(", ", m.Value)}." }),
                    MissingKeysDetail(templateKey)));
            }

            return (await NewVersionAsync(session, templateKey, note: null), null);
        }, cancellationToken);

    private static string MissingKeysDetail(string templateKey) =>
        $"Template '{templateKey}' uses translation keys that are missing from locales it claims (its variants' and the enterprise's default).";

    /// <summary>The template after the rollback; null when there is no such template or version.</summary>
    internal Task<TemplateRow?> RollbackAsync(Guid enterpriseId, string templateKey, int version, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            var restored = await session.Connection.ExecuteAsync(
                """
                UPDATE notify.ent_notification_template t
                SET channel_type = v.channel_type, subject_template = v.subject_template, body_template = v.body_template,
                    locales = v.locales, payload_at_root = v.payload_at_root, layout_key = v.layout_key, updated_at = now()
                FROM notify.ent_template_version v
                WHERE t.template_key = @templateKey AND v.template_key = @templateKey AND v.version = @version
                """,
                new { templateKey, version }, session.Transaction);
            return restored == 0 ? null : await NewVersionAsync(session, templateKey, $"rollback to {version}");
        }, cancellationToken);

    internal async Task<IReadOnlyList<TemplateVersionRow>> ListAsync(Guid enterpriseId, string templateKey, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<TemplateVersionRow>(
            $"""
            SELECT {TemplateVersionRow.Columns}
            FROM notify.ent_template_version v JOIN notify.ent_notification_template t ON t.template_key = v.template_key
            WHERE v.template_key = @templateKey
            ORDER BY v.version DESC
            """,
            new { templateKey }, session.Transaction), cancellationToken)).AsList();

    internal async Task<IReadOnlyDictionary<int, TemplateVersionRow>> FindAsync(
        Guid enterpriseId, string templateKey, int[] versions, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<TemplateVersionRow>(
            $"""
            SELECT {TemplateVersionRow.Columns}
            FROM notify.ent_template_version v JOIN notify.ent_notification_template t ON t.template_key = v.template_key
            WHERE v.template_key = @templateKey AND v.version = ANY(@versions)
            """,
            new { templateKey, versions }, session.Transaction), cancellationToken)).ToDictionary(v => v.Version);

    /// <summary>Copies the draft into the next version and makes it live (and the template published).</summary>
    private static Task<TemplateRow?> NewVersionAsync(TenantSession session, string templateKey, string? note) =>
        session.Connection.QuerySingleOrDefaultAsync<TemplateRow>(
            $"""
            WITH next AS (
                SELECT coalesce(max(version), 0) + 1 AS version FROM notify.ent_template_version WHERE template_key = @templateKey
            ), v AS (
                INSERT INTO notify.ent_template_version
                    (enterprise_id, template_key, version, channel_type, subject_template, body_template, locales, payload_at_root, note,
                     layout_key)
                SELECT d.enterprise_id, d.template_key, next.version, d.channel_type, d.subject_template, d.body_template, d.locales,
                       d.payload_at_root, @note, d.layout_key
                FROM notify.ent_notification_template d, next
                WHERE d.template_key = @templateKey
                RETURNING version
            ), t AS (
                UPDATE notify.ent_notification_template
                SET publish_status = 'PUBLISH', live_version = (SELECT version FROM v), updated_at = now()
                WHERE template_key = @templateKey
                RETURNING *)
            SELECT {TemplateRow.Columns} FROM t {TemplateRow.From}
            """,
            new { templateKey, note }, session.Transaction);
}
