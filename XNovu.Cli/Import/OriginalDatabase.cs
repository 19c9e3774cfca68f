using Dapper;
using Npgsql;

namespace XNovu.Cli.Import;

/// <summary>
/// Reads one enterprise's definitions from an original XNovu database (its <c>notify</c> schema). Read only:
/// one repeatable-read, read-only transaction, so the import sees one consistent state. The original kept
/// RLS advisory, so the enterprise is also set as <c>app.current_enterprise_id</c> for databases that enforce it.
/// </summary>
internal static class OriginalDatabase
{
    private const string Sql =
        """
        SELECT id, code, name, description, coalesce(sort_order, 0) AS SortOrder, publish_status::text AS PublishStatus, deactivated
        FROM notify.typ_notification_category WHERE enterprise_id = @enterpriseId ORDER BY sort_order, id;

        SELECT id, code, name, description, coalesce(sort_order, 0) AS SortOrder, publish_status::text AS PublishStatus, deactivated
        FROM notify.typ_notification_priority WHERE enterprise_id = @enterpriseId ORDER BY sort_order, id;

        SELECT id, template_key AS TemplateKey, name, description, channel_type::text AS ChannelType,
               subject_template AS SubjectTemplate, body_template AS BodyTemplate,
               variables_description::text AS VariablesDescription, notification_category_id AS CategoryId,
               publish_status::text AS PublishStatus, deactivated
        FROM notify.ent_notification_template WHERE enterprise_id = @enterpriseId ORDER BY id;

        SELECT id, workflow_key AS WorkflowKey, name, description, workflow_type::text AS WorkflowType,
               coalesce(default_channels::text[], '{}') AS DefaultChannels, payload_schema::text AS PayloadSchema,
               control_schema::text AS ControlSchema, template_overrides::text AS TemplateOverrides,
               notification_category_id AS CategoryId, publish_status::text AS PublishStatus, deactivated
        FROM notify.ent_notification_workflow WHERE enterprise_id = @enterpriseId ORDER BY id;

        SELECT id, name, description, notification_workflow_id AS WorkflowId, trigger_type::text AS TriggerType,
               trigger_config::text AS TriggerConfig, rule_payload::text AS RulePayload,
               publish_status::text AS PublishStatus, deactivated
        FROM notify.ent_notification_rule WHERE enterprise_id = @enterpriseId ORDER BY id;
        """;

    public static async Task<OriginalEnterprise> ReadAsync(string connectionString, Guid enterpriseId, CancellationToken cancellationToken)
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
        return new OriginalEnterprise(enterpriseId, categories, priorities, templates, workflows, rules);
    }
}
