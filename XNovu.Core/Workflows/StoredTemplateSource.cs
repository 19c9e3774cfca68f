using Dapper;
using XNovu.Core.Persistence;
using XNovu.Core.Templates;

namespace XNovu.Core.Workflows;

/// <summary>
/// Where the template engine finds a template by key: the enterprise's own (not deactivated) template, read
/// inside that enterprise's row-level-security scope, or else the static template of that key. Another
/// enterprise's template is never reachable: the scope hides it.
/// </summary>
public sealed class StoredTemplateSource(XNovuDatabase database, StaticWorkflowRegistry registry) : ILiquidTemplateSource
{
    /// <summary>
    /// Whether template <c>t</c> sees payload keys at the root: its own setting, else its enterprise's default.
    /// The one place this rule lives; every reader of templates selects it.
    /// </summary>
    public const string PayloadAtRootColumn =
        """
        coalesce(t.payload_at_root, (SELECT e.template_payload_at_root FROM notify.enterprise e WHERE e.id = t.enterprise_id), false)
            AS PayloadAtRoot
        """;

    /// <summary>Static templates never change while the process runs, so one stamp serves them all.</summary>
    private static readonly DateTimeOffset StaticVersion = DateTimeOffset.UnixEpoch;

    public async Task<TemplateDefinition?> FindAsync(Guid? enterpriseId, string templateKey, CancellationToken cancellationToken)
    {
        if (enterpriseId is { } id)
        {
            var row = await database.InTenantAsync(id, session => session.Connection.QuerySingleOrDefaultAsync<Row>(
                $"""
                SELECT template_key AS TemplateKey, channel_type::text AS ChannelType, subject_template AS SubjectTemplate,
                       body_template AS BodyTemplate, updated_at AS UpdatedAt, {PayloadAtRootColumn}
                FROM notify.ent_notification_template t
                WHERE template_key = @templateKey AND NOT deactivated
                """,
                new { templateKey },
                session.Transaction), cancellationToken);
            if (row is not null && NotificationChannelNames.TryParse(row.ChannelType, out var channel))
            {
                return new TemplateDefinition(
                    id, row.TemplateKey, channel, row.SubjectTemplate, row.BodyTemplate,
                    new DateTimeOffset(DateTime.SpecifyKind(row.UpdatedAt, DateTimeKind.Utc)), row.PayloadAtRoot);
            }
        }

        return registry.FindTemplate(templateKey) is { } shipped && NotificationChannelNames.TryParse(shipped.ChannelType, out var staticChannel)
            ? new TemplateDefinition(null, shipped.TemplateKey, staticChannel, shipped.SubjectTemplate, shipped.BodyTemplate, StaticVersion)
            : null;
    }

    // Dapper maps records by exact type: timestamptz arrives as a UTC DateTime.
    private sealed record Row(string TemplateKey, string ChannelType, string? SubjectTemplate, string BodyTemplate, DateTime UpdatedAt, bool PayloadAtRoot);
}
