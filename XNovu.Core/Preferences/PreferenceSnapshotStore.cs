using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Core.Preferences;

/// <summary>
/// Reads the preference rows (and the workflows' digest settings) of one enterprise's part of a claimed batch in one round trip (the enterprise's
/// row-level-security scope set in the same implicit transaction), never one query per delivery.
/// </summary>
public sealed class PreferenceSnapshotStore(XNovuDatabase database)
{
    private const string Sql =
        """
        SELECT set_config('app.current_enterprise_id', @enterpriseIdText, true);
        SELECT workflow_key AS WorkflowKey, channels::text AS Channels, read_only AS ReadOnly, critical AS Critical
        FROM notify.workflow_preference WHERE workflow_key = ANY(@workflowKeys);
        SELECT w.workflow_key AS WorkflowKey, c.code AS Code
        FROM notify.ent_notification_workflow w
        JOIN notify.typ_notification_category c ON c.enterprise_id = w.enterprise_id AND c.id = w.notification_category_id
        WHERE w.workflow_key = ANY(@workflowKeys);
        SELECT scope AS Scope, scope_key AS ScopeKey, channels::text AS Channels, forced AS Forced
        FROM notify.preference_default WHERE scope = 'category' OR scope_key = ANY(@workflowKeys);
        SELECT subscriber_id AS SubscriberId, workflow_key AS WorkflowKey, channels::text AS Channels
        FROM notify.subscriber_preference
        WHERE subscriber_id = ANY(@subscriberIds) AND (workflow_key = '' OR workflow_key = ANY(@workflowKeys));
        SELECT workflow_key AS WorkflowKey, settings::text AS Settings FROM notify.workflow_digest WHERE workflow_key = ANY(@workflowKeys);
        """;

    public async Task<PreferenceSnapshot> LoadAsync(
        Guid enterpriseId, IReadOnlyCollection<string> workflowKeys, IReadOnlyCollection<string> subscriberIds, CancellationToken cancellationToken)
    {
        var snapshot = new PreferenceSnapshot();
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        // One batch of statements is one implicit transaction: the transaction-local scope holds for all of them.
        using var reader = await connection.QueryMultipleAsync(new CommandDefinition(Sql, new
        {
            enterpriseIdText = enterpriseId.ToString(),
            workflowKeys = workflowKeys.Distinct(StringComparer.Ordinal).ToArray(),
            subscriberIds = subscriberIds.Distinct(StringComparer.Ordinal).ToArray(),
        }, cancellationToken: cancellationToken));
        await reader.ReadAsync<string>();
        foreach (var row in await reader.ReadAsync<(string WorkflowKey, string Channels, bool ReadOnly, bool Critical)>())
        {
            snapshot.Workflows[row.WorkflowKey] = new WorkflowPreference(PreferenceChannels.Read(row.Channels), row.ReadOnly, row.Critical);
        }

        foreach (var row in await reader.ReadAsync<(string WorkflowKey, string Code)>())
        {
            snapshot.CategoryOf[row.WorkflowKey] = row.Code;
        }

        foreach (var row in await reader.ReadAsync<(string Scope, string ScopeKey, string Channels, bool Forced)>())
        {
            var target = row.Scope == "category" ? snapshot.CategoryDefaults : snapshot.WorkflowDefaults;
            target[row.ScopeKey] = new PreferenceDefault(PreferenceChannels.Read(row.Channels), row.Forced);
        }

        foreach (var row in await reader.ReadAsync<(string SubscriberId, string WorkflowKey, string Channels)>())
        {
            snapshot.Subscribers[(row.SubscriberId, row.WorkflowKey)] = PreferenceChannels.Read(row.Channels);
        }

        foreach (var row in await reader.ReadAsync<(string WorkflowKey, string Settings)>())
        {
            if (XNovu.Core.Digests.DigestSettings.FromJson(row.Settings) is { } digest)
            {
                snapshot.Digests[row.WorkflowKey] = digest;
            }
        }

        return snapshot;
    }
}
