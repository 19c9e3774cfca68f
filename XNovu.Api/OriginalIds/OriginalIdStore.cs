using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.OriginalIds;

/// <summary>
/// The SQL of the original's id map (<c>notify.original_id_map</c>, 0046). Keys are resolved to ids in the
/// enterprise's scope (row-level security), so a key names only this enterprise's definition, and a map row is
/// only this enterprise's.
/// </summary>
public sealed class OriginalIdStore(XNovuDatabase database)
{
    /// <summary>
    /// Records each mapping (an upsert: a re-run with the same answer writes nothing) and answers XNovu's id for each,
    /// in order; null where the key names nothing of the enterprise.
    /// </summary>
    public async Task<IReadOnlyList<OriginalIdMapping>> MapAsync(Guid enterpriseId, IReadOnlyList<OriginalIdItem> items, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<OriginalIdMapping>(
            """
            WITH wanted AS (
                SELECT m.ordinal, m.kind, m.original_id, m.key,
                       CASE m.kind
                           WHEN 'workflow' THEN (SELECT w.id FROM notify.ent_notification_workflow w WHERE w.workflow_key = m.key)
                           WHEN 'category' THEN (SELECT c.id FROM notify.typ_notification_category c WHERE c.code = m.key)
                           WHEN 'priority' THEN (SELECT p.id FROM notify.typ_notification_priority p WHERE p.code = m.key)
                           WHEN 'template' THEN (SELECT t.id FROM notify.ent_notification_template t WHERE t.template_key = m.key)
                           WHEN 'rule' THEN (SELECT r.id FROM notify.ent_notification_rule r WHERE r.id = m.key::bigint)
                       END AS xnovu_id
                FROM unnest(@kinds, @originalIds, @keys) WITH ORDINALITY AS m (kind, original_id, key, ordinal)),
            saved AS (
                INSERT INTO notify.original_id_map AS o (enterprise_id, kind, original_id, xnovu_id)
                SELECT @enterpriseId, kind, original_id, xnovu_id FROM wanted
                ON CONFLICT (enterprise_id, kind, original_id) DO UPDATE
                    SET xnovu_id = EXCLUDED.xnovu_id, updated_at = now()
                    WHERE o.xnovu_id IS DISTINCT FROM EXCLUDED.xnovu_id)
            SELECT kind, original_id AS OriginalId, key, xnovu_id AS Id FROM wanted ORDER BY ordinal
            """,
            new
            {
                enterpriseId,
                kinds = items.Select(i => i.Kind!).ToArray(),
                originalIds = items.Select(i => i.OriginalId!.Value).ToArray(),
                keys = items.Select(i => i.Key).ToArray(),
            },
            session.Transaction), cancellationToken)).AsList();
}
