using Dapper;
using Npgsql;

namespace XNovu.Cli.Import;

/// <summary>
/// Reads one enterprise from an original XNovu database, in the original's real schema (psychomelet/xnovu
/// <c>supabase/sql/schema.sql</c>, 86f4b06): categories named by <c>typ_notification_category_id</c>, enums in
/// <c>shared_types</c> (read as text), category codes that may be null, an ltree path. Definitions are read in one
/// repeatable-read, read-only transaction, so the import sees one consistent state. The original kept RLS
/// advisory, so the enterprise is also set as <c>app.current_enterprise_id</c> for databases that enforce it.
/// </summary>
internal static class OriginalDatabase
{
    private const string Sql =
        """
        SELECT id, code, name, description, coalesce(sort_order, 0) AS SortOrder, publish_status::text AS PublishStatus, deactivated,
               path::text AS Path
        FROM notify.typ_notification_category WHERE enterprise_id = @enterpriseId ORDER BY sort_order, id;

        SELECT id, code, name, description, coalesce(sort_order, 0) AS SortOrder, publish_status::text AS PublishStatus, deactivated,
               NULL::text AS Path
        FROM notify.typ_notification_priority WHERE enterprise_id = @enterpriseId ORDER BY sort_order, id;

        SELECT id, template_key AS TemplateKey, name, description, channel_type::text AS ChannelType,
               subject_template AS SubjectTemplate, body_template AS BodyTemplate,
               variables_description::text AS VariablesDescription, typ_notification_category_id AS CategoryId,
               publish_status::text AS PublishStatus, deactivated
        FROM notify.ent_notification_template WHERE enterprise_id = @enterpriseId ORDER BY id;

        SELECT id, workflow_key AS WorkflowKey, name, description, workflow_type::text AS WorkflowType,
               coalesce(default_channels::text[], '{}') AS DefaultChannels, payload_schema::text AS PayloadSchema,
               control_schema::text AS ControlSchema, template_overrides::text AS TemplateOverrides,
               typ_notification_category_id AS CategoryId, publish_status::text AS PublishStatus, deactivated
        FROM notify.ent_notification_workflow WHERE enterprise_id = @enterpriseId ORDER BY id;

        SELECT id, name, description, notification_workflow_id AS WorkflowId, trigger_type::text AS TriggerType,
               trigger_config::text AS TriggerConfig, rule_payload::text AS RulePayload,
               publish_status::text AS PublishStatus, deactivated
        FROM notify.ent_notification_rule WHERE enterprise_id = @enterpriseId ORDER BY id;
        """;

    /// <summary>
    /// What a cutover may bring: PENDING rows (the original's worker sent only PUBLISH ones; the plan skips the
    /// others, saying why), PROCESSING ones (reported, never brought: the original may have sent them), and rows an earlier cutover already moved (<see cref="Cutover.MovedReason"/>), so that a
    /// re-run after a crash finishes the move.
    /// </summary>
    private const string NotificationSql =
        """
        SELECT id, name, notification_workflow_id AS WorkflowId, notification_status::text AS NotificationStatus,
               publish_status::text AS PublishStatus, payload::text AS Payload, recipients::text[] AS Recipients,
               overrides::text AS Overrides, tags, transaction_id AS TransactionId, scheduled_for AS ScheduledFor,
               typ_notification_category_id AS CategoryId, typ_notification_priority_id AS PriorityId,
               retraction_reason AS RetractionReason
        FROM notify.ent_notification
        WHERE enterprise_id = @enterpriseId
          AND (notification_status IN ('PENDING', 'PROCESSING')
               OR (notification_status = 'RETRACTED' AND retraction_reason LIKE @moved))
        ORDER BY coalesce(scheduled_for, created_at), id;
        """;

    public static async Task<OriginalEnterprise> ReadAsync(
        string connectionString, Guid enterpriseId, bool notifications, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await connection.ExecuteAsync(
            "SET TRANSACTION READ ONLY; SELECT set_config('app.current_enterprise_id', @enterprise, true);",
            new { enterprise = enterpriseId.ToString() },
            transaction);
        await using var grid = await connection.QueryMultipleAsync(new CommandDefinition(Sql, new { enterpriseId }, transaction, cancellationToken: cancellationToken));
        var categories = (await grid.ReadAsync<OriginalLookup>()).ToList();
        var priorities = (await grid.ReadAsync<OriginalLookup>()).ToList();
        var templates = (await grid.ReadAsync<OriginalTemplate>()).ToList();
        var workflows = (await grid.ReadAsync<OriginalWorkflow>()).ToList();
        var rules = (await grid.ReadAsync<OriginalRule>()).ToList();
        var pending = notifications
            ? (await connection.QueryAsync<OriginalNotification>(new CommandDefinition(
                NotificationSql, new { enterpriseId, moved = Cutover.MovedReason + "%" }, transaction, cancellationToken: cancellationToken))).ToList()
            : [];
        return new OriginalEnterprise(enterpriseId, categories, priorities, templates, workflows, rules) { Notifications = pending };
    }
}
