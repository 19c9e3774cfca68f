using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.Audit;

/// <summary>
/// Reads the audit trail. An enterprise reads its own under row-level security; the admin reads across enterprises
/// through <c>notify.audit_events_all</c>. The rows are written by the database trigger <c>notify.audit_write</c>, and for subscribers, topics and
/// API keys by their stores through <see cref="RecordAsync"/>, in the write's own transaction.
/// </summary>
public sealed class AuditStore(XNovuDatabase database)
{
    private const string Columns =
        "id, enterprise_id AS EnterpriseId, at, actor, request, entity_type AS EntityType, entity_key AS EntityKey, action, changed";

    internal async Task<IReadOnlyList<AuditEventResponse>> ListAsync(Guid enterpriseId, AuditQuery query, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<Row>(
            $"""
            SELECT {Columns} FROM notify.audit_event a
            WHERE (@entityType::text IS NULL OR a.entity_type = @entityType)
              AND (@entityKey::text IS NULL OR a.entity_key = @entityKey)
              AND (@from::timestamptz IS NULL OR a.at >= @from)
              AND (@to::timestamptz IS NULL OR a.at < @to)
              AND (@before::bigint IS NULL OR a.id < @before)
            ORDER BY a.id DESC
            LIMIT @limit
            """,
            Parameters(query), session.Transaction), cancellationToken)).Select(r => r.ToResponse()).ToList();

    internal async Task<IReadOnlyList<AuditEventResponse>> ListAllAsync(Guid? enterpriseId, AuditQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM notify.audit_events_all(@enterpriseId, @entityType, @entityKey, @from, @to, @before, @limit)",
            new { enterpriseId, query.EntityType, query.EntityKey, from = query.From, to = query.To, before = query.Before, limit = query.Limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => r.ToResponse()).ToList();
    }

    /// <summary>
    /// Records a write of a table that carries no audit trigger (subscribers, topics, API keys) in the write's own
    /// transaction, so the record and the write commit or roll back together: one row per entity, in one statement.
    /// The author is the session's (<c>app.actor</c>, <c>app.request</c>, named by <see cref="XNovuDatabase.BeginTenantAsync"/>),
    /// the rule of <c>notify.audit_write</c>: no author, no record (the trigger path's profile writes are not recorded).
    /// </summary>
    internal static Task RecordAsync(TenantSession session, AuditedWrite write) =>
        write.Entities.Count == 0
            ? Task.CompletedTask
            : session.Connection.ExecuteAsync(
                """
                INSERT INTO notify.audit_event (enterprise_id, actor, request, entity_type, entity_key, action, changed)
                SELECT @enterpriseId, a.actor, nullif(current_setting('app.request', true), ''), @entityType, e.key, e.action, @changed
                FROM (SELECT nullif(current_setting('app.actor', true), '') AS actor) a,
                     unnest(@keys::text[], @actions::text[]) AS e (key, action)
                WHERE a.actor IS NOT NULL
                """,
                new
                {
                    enterpriseId = session.EnterpriseId, entityType = write.EntityType,
                    keys = write.Entities.Select(e => e.Key).ToArray(), actions = write.Entities.Select(e => e.Action).ToArray(),
                    changed = write.Changed,
                },
                session.Transaction);

    private static object Parameters(AuditQuery query) =>
        new { query.EntityType, query.EntityKey, from = query.From, to = query.To, before = query.Before, limit = query.Limit };

    /// <remarks>A class with setters rather than a positional record: Dapper maps array columns only onto properties.</remarks>
    private sealed class Row
    {
        public long Id { get; init; }
        public Guid EnterpriseId { get; init; }
        public DateTime At { get; init; }
        public string Actor { get; init; } = string.Empty;
        public string? Request { get; init; }
        public string EntityType { get; init; } = string.Empty;
        public string? EntityKey { get; init; }
        public string Action { get; init; } = string.Empty;
        public string[]? Changed { get; init; }

        public AuditEventResponse ToResponse() => new(Id, EnterpriseId, At, Actor, Request, EntityType, EntityKey, Action, Changed);
    }
}
