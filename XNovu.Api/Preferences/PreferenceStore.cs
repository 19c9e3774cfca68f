using System.Text.Json;
using Dapper;
using XNovu.Core.Persistence;
using XNovu.Core.Preferences;

namespace XNovu.Api.Preferences;

/// <summary>An enterprise's own workflow as the preference list shows it.</summary>
internal sealed class PreferenceWorkflowRow
{
    public string WorkflowKey { get; init; } = string.Empty;
    public string Name { get; init; } = string.Empty;
    public string[] Channels { get; init; } = [];
}

/// <summary>
/// The SQL of preferences the API writes and reads, each statement under the enterprise's row-level security.
/// The dispatcher's read of a claimed batch is <see cref="Core.Preferences.PreferenceSnapshotStore"/>.
/// </summary>
internal sealed class PreferenceStore(XNovuDatabase database)
{
    public Task<List<PreferenceWorkflowRow>> OwnWorkflowsAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session => (await session.Connection.QueryAsync<PreferenceWorkflowRow>(
            """
            SELECT workflow_key AS WorkflowKey, name AS Name, default_channels::text[] AS Channels
            FROM notify.ent_notification_workflow ORDER BY workflow_key
            """, transaction: session.Transaction)).AsList(), cancellationToken);

    public Task<bool> SubscriberExistsAsync(Guid enterpriseId, string subscriberId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM notify.subscriber WHERE subscriber_id = @subscriberId)", new { subscriberId }, session.Transaction), cancellationToken);

    public Task<bool> CategoryExistsAsync(Guid enterpriseId, string code, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM notify.typ_notification_category WHERE code = @code)", new { code }, session.Transaction), cancellationToken);

    /// <summary>
    /// Merges each channel map into the subscriber's stored one (a channel given wins, one left out keeps its value),
    /// all in one transaction; false, writing nothing, when the subscriber is not in the directory.
    /// </summary>
    public Task<bool> MergeSubscriberAsync(
        Guid enterpriseId, string subscriberId, IReadOnlyList<(string WorkflowKey, string Channels)> preferences, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            var exists = await session.Connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM notify.subscriber WHERE subscriber_id = @subscriberId FOR KEY SHARE)", new { subscriberId }, session.Transaction);
            if (!exists)
            {
                return false;
            }

            await session.Connection.ExecuteAsync(
                """
                INSERT INTO notify.subscriber_preference AS p (enterprise_id, subscriber_id, workflow_key, channels)
                SELECT @enterpriseId, @subscriberId, r.key, r.channels
                FROM unnest(@keys, @channels::jsonb[]) AS r(key, channels)
                ON CONFLICT (enterprise_id, subscriber_id, workflow_key) DO UPDATE SET
                    channels = p.channels || excluded.channels, updated_at = now()
                """,
                new
                {
                    enterpriseId,
                    subscriberId,
                    keys = preferences.Select(p => p.WorkflowKey).ToArray(),
                    channels = preferences.Select(p => p.Channels).ToArray(),
                },
                session.Transaction);
            // Pushed to Novu by the dispatchers once committed (XNovu.Dispatcher/Preferences), with retries.
            await PreferenceSyncStore.EnqueueAsync(session, subscriberId, preferences.Select(p => p.WorkflowKey).ToList());
            return true;
        }, cancellationToken);

    /// <summary>
    /// A level as Novu reported it (<see cref="PreferenceReadBack"/>), in one transaction with the level's row locked:
    /// the channels that differ from what XNovu pushed are merged in, and nothing is queued for Novu (it has them).
    /// Answers the channels taken; null when the subscriber is not in the directory.
    /// </summary>
    public Task<IReadOnlyDictionary<string, bool>?> ApplyFromNovuAsync(
        Guid enterpriseId, string subscriberId, string workflowKey, IReadOnlyDictionary<string, bool> reported, DateTimeOffset reportedAt,
        CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            var exists = await session.Connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM notify.subscriber WHERE subscriber_id = @subscriberId FOR KEY SHARE)", new { subscriberId }, session.Transaction);
            if (!exists)
            {
                return (IReadOnlyDictionary<string, bool>?)null;
            }

            var rows = (await session.Connection.QueryAsync<(string Key, string Channels, DateTime UpdatedAt)>(
                """
                SELECT workflow_key, channels::text, updated_at FROM notify.subscriber_preference
                WHERE subscriber_id = @subscriberId AND workflow_key IN ('', @workflowKey)
                ORDER BY workflow_key FOR UPDATE
                """,
                new { subscriberId, workflowKey }, session.Transaction)).ToDictionary(r => r.Key, StringComparer.Ordinal);
            var pending = await session.Connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM notify.preference_novu_sync WHERE subscriber_id = @subscriberId AND workflow_key = @workflowKey)",
                new { subscriberId, workflowKey }, session.Transaction);
            var hasLevel = rows.TryGetValue(workflowKey, out var level);
            var stored = new StoredPreferenceLevel(
                Map(hasLevel ? level.Channels : null),
                Map(rows.TryGetValue(string.Empty, out var global) ? global.Channels : null),
                hasLevel ? new DateTimeOffset(DateTime.SpecifyKind(level.UpdatedAt, DateTimeKind.Utc)) : null,
                pending);
            var changes = PreferenceReadBack.Changes(reported, workflowKey.Length == 0, reportedAt, stored);
            if (changes.Count > 0)
            {
                await session.Connection.ExecuteAsync(
                    """
                    INSERT INTO notify.subscriber_preference AS p (enterprise_id, subscriber_id, workflow_key, channels)
                    VALUES (@enterpriseId, @subscriberId, @workflowKey, @channels::jsonb)
                    ON CONFLICT (enterprise_id, subscriber_id, workflow_key) DO UPDATE SET
                        channels = p.channels || excluded.channels, updated_at = now()
                    """,
                    new { enterpriseId, subscriberId, workflowKey, channels = JsonSerializer.Serialize(changes) },
                    session.Transaction);
            }

            return (IReadOnlyDictionary<string, bool>?)changes;
        }, cancellationToken);

    private static Dictionary<string, bool> Map(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<Dictionary<string, bool>>(json) ?? [];

    public Task<List<(string Scope, string ScopeKey, string Channels, bool Forced, DateTime UpdatedAt)>> DefaultsAsync(
        Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session => (await session.Connection.QueryAsync<(string, string, string, bool, DateTime)>(
            "SELECT scope, scope_key, channels::text, forced, updated_at FROM notify.preference_default ORDER BY scope, scope_key",
            transaction: session.Transaction)).AsList(), cancellationToken);

    /// <summary>Sets a default whole (its channels replace the stored ones); answers when it was written.</summary>
    public Task<DateTime> PutDefaultAsync(Guid enterpriseId, string scope, string key, string channels, bool forced, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteScalarAsync<DateTime>(
            """
            INSERT INTO notify.preference_default (enterprise_id, scope, scope_key, channels, forced)
            VALUES (@enterpriseId, @scope, @key, @channels::jsonb, @forced)
            ON CONFLICT (enterprise_id, scope, scope_key) DO UPDATE SET
                channels = excluded.channels, forced = excluded.forced, updated_at = now()
            RETURNING updated_at
            """,
            new { enterpriseId, scope, key, channels, forced }, session.Transaction), cancellationToken);

    public Task<bool> DeleteDefaultAsync(Guid enterpriseId, string scope, string key, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session => await session.Connection.ExecuteAsync(
            "DELETE FROM notify.preference_default WHERE scope = @scope AND scope_key = @key", new { scope, key }, session.Transaction) > 0, cancellationToken);

    public Task<(string Channels, bool ReadOnly, bool Critical, DateTime UpdatedAt)?> WorkflowPreferenceAsync(
        Guid enterpriseId, string workflowKey, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<(string, bool, bool, DateTime)?>(
            "SELECT channels::text, read_only, critical, updated_at FROM notify.workflow_preference WHERE workflow_key = @workflowKey",
            new { workflowKey }, session.Transaction), cancellationToken);

    public Task<DateTime> PutWorkflowPreferenceAsync(
        Guid enterpriseId, string workflowKey, string channels, bool readOnly, bool critical, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteScalarAsync<DateTime>(
            """
            INSERT INTO notify.workflow_preference (enterprise_id, workflow_key, channels, read_only, critical)
            VALUES (@enterpriseId, @workflowKey, @channels::jsonb, @readOnly, @critical)
            ON CONFLICT (enterprise_id, workflow_key) DO UPDATE SET
                channels = excluded.channels, read_only = excluded.read_only, critical = excluded.critical, updated_at = now()
            RETURNING updated_at
            """,
            new { enterpriseId, workflowKey, channels, readOnly, critical }, session.Transaction), cancellationToken);
}
