using System.Text.Json;
using Dapper;
using XNovu.Api.Audit;
using XNovu.Core.Novu;
using XNovu.Core.Persistence;

namespace XNovu.Api.Subscribers;

/// <summary>Row of <c>notify.subscriber</c>, as Dapper reads it.</summary>
internal sealed record SubscriberRow(
    string SubscriberId, string? Email, string? Phone, string? FirstName, string? LastName, string? Locale,
    string? Timezone, string? Avatar, string? Data, DateTime CreatedAt, DateTime UpdatedAt)
{
    public SubscriberResponse ToResponse() => new(
        SubscriberId, Email, Phone, FirstName, LastName, Locale, Timezone, Avatar,
        Data is null ? null : JsonDocument.Parse(Data).RootElement.Clone(), CreatedAt, UpdatedAt);
}

/// <summary>
/// All SQL of the subscriber directory, each statement under the enterprise's row-level security: upserts
/// (merging or replacing), reads, the paged search, the export and the erasure. Each write records itself in the
/// audit trail in its own transaction (<see cref="AuditStore.RecordAsync"/>).
/// </summary>
internal sealed class SubscriberStore(XNovuDatabase database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Columns =
        """
        subscriber_id AS SubscriberId, email, phone, first_name AS FirstName, last_name AS LastName, locale, timezone,
        avatar, data::text AS Data, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private const string RowsSource =
        """
        FROM jsonb_to_recordset(@rows::jsonb) AS r(
            "subscriberId" text, email text, phone text, "firstName" text, "lastName" text, locale text, timezone text,
            avatar text, data jsonb)
        """;

    /// <summary>
    /// Novu's upsert of a subscriber <c>s</c> by <c>excluded</c>: a given field wins, an absent one keeps the stored
    /// value. The one place of that rule; a trigger's recipients upsert the directory by it too (<c>NotificationRows</c>).
    /// </summary>
    internal const string MergeSet =
        """
        email = coalesce(excluded.email, s.email), phone = coalesce(excluded.phone, s.phone),
        first_name = coalesce(excluded.first_name, s.first_name), last_name = coalesce(excluded.last_name, s.last_name),
        locale = coalesce(excluded.locale, s.locale), timezone = coalesce(excluded.timezone, s.timezone),
        avatar = coalesce(excluded.avatar, s.avatar), data = coalesce(excluded.data, s.data), updated_at = now()
        """;

    private const string ReplaceSet =
        """
        email = excluded.email, phone = excluded.phone, first_name = excluded.first_name, last_name = excluded.last_name,
        locale = excluded.locale, timezone = excluded.timezone, avatar = excluded.avatar, data = excluded.data, updated_at = now()
        """;

    private const string UpsertSql =
        $"""
        INSERT INTO notify.subscriber AS s (enterprise_id, subscriber_id, email, phone, first_name, last_name, locale, timezone, avatar, data)
        SELECT @enterpriseId, r."subscriberId", r.email, r.phone, r."firstName", r."lastName", r.locale, r.timezone, r.avatar,
               nullif(r.data, 'null'::jsonb)
        {RowsSource}
        ON CONFLICT (enterprise_id, subscriber_id) DO UPDATE SET
        """;

    public async Task<(int Created, int Updated, IReadOnlyList<SubscriberResponse> Stored)> UpsertAsync(
        Guid enterpriseId, IReadOnlyList<SubscriberBody> subscribers, bool replace, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
        {
            var rows = (await session.Connection.QueryAsync<(bool Created, string SubscriberId)>(
                UpsertSql + " " + (replace ? ReplaceSet : MergeSet) + " RETURNING (xmax = 0) AS Created, subscriber_id AS SubscriberId",
                new { enterpriseId, rows = JsonSerializer.Serialize(subscribers, Json) },
                session.Transaction)).AsList();
            await AuditStore.RecordAsync(session, new AuditedWrite(
                AuditedWrite.Subscriber, rows.Select(r => (r.SubscriberId, r.Created ? AuditedWrite.Created : AuditedWrite.Updated)).ToList()));
            var stored = await session.Connection.QueryAsync<SubscriberRow>(
                $"SELECT {Columns} FROM notify.subscriber WHERE subscriber_id = ANY(@ids) ORDER BY subscriber_id",
                new { ids = rows.Select(r => r.SubscriberId).ToArray() },
                session.Transaction);
            var created = rows.Count(r => r.Created);
            return (created, rows.Count - created, (IReadOnlyList<SubscriberResponse>)stored.Select(s => s.ToResponse()).ToList());
        }, cancellationToken);

    /// <summary>Changes only the fields given, of a subscriber that exists; null when it does not.</summary>
    public async Task<SubscriberResponse?> PatchAsync(Guid enterpriseId, string subscriberId, SubscriberBody patch, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
        {
            var row = await session.Connection.QuerySingleOrDefaultAsync<SubscriberRow>(
                $"""
                UPDATE notify.subscriber s SET
                    email = coalesce(@Email, email), phone = coalesce(@Phone, phone), first_name = coalesce(@FirstName, first_name),
                    last_name = coalesce(@LastName, last_name), locale = coalesce(@Locale, locale), timezone = coalesce(@Timezone, timezone),
                    avatar = coalesce(@Avatar, avatar), data = coalesce(@data::jsonb, data), updated_at = now()
                WHERE subscriber_id = @subscriberId
                RETURNING {Columns}
                """,
                new
                {
                    subscriberId, patch.Email, patch.Phone, patch.FirstName, patch.LastName, patch.Locale, patch.Timezone, patch.Avatar,
                    data = patch.Data is { ValueKind: JsonValueKind.Object } data ? data.GetRawText() : null,
                },
                session.Transaction);
            if (row is not null)
            {
                await AuditStore.RecordAsync(session, AuditedWrite.Of(AuditedWrite.Subscriber, subscriberId, AuditedWrite.Updated));
            }

            return row?.ToResponse();
        }, cancellationToken);

    public async Task<SubscriberResponse?> FindAsync(Guid enterpriseId, string subscriberId, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
            (await session.Connection.QuerySingleOrDefaultAsync<SubscriberRow>(
                $"SELECT {Columns} FROM notify.subscriber WHERE subscriber_id = @subscriberId",
                new { subscriberId },
                session.Transaction))?.ToResponse(), cancellationToken);

    /// <summary>A page ordered by subscriber id; <paramref name="search"/> matches the id, e-mail, phone or names.</summary>
    public async Task<IReadOnlyList<SubscriberResponse>> ListAsync(
        Guid enterpriseId, string? search, string? after, int fetch, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
            (IReadOnlyList<SubscriberResponse>)(await session.Connection.QueryAsync<SubscriberRow>(
                $"""
                SELECT {Columns} FROM notify.subscriber
                WHERE (@after::text IS NULL OR subscriber_id > @after)
                  AND (@pattern::text IS NULL OR subscriber_id ILIKE @pattern OR email ILIKE @pattern OR phone ILIKE @pattern
                       OR first_name ILIKE @pattern OR last_name ILIKE @pattern)
                ORDER BY subscriber_id
                LIMIT @fetch
                """,
                new { after, pattern = search is null ? null : "%" + EscapeLike(search) + "%", fetch },
                session.Transaction)).Select(r => r.ToResponse()).ToList(), cancellationToken);

    public async Task<bool> DeleteAsync(Guid enterpriseId, string subscriberId, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
        {
            if (await session.Connection.ExecuteAsync(
                    "DELETE FROM notify.subscriber WHERE subscriber_id = @subscriberId", new { subscriberId }, session.Transaction) == 0)
            {
                return false;
            }

            await NovuRemovalStore.EnqueueSubscriberAsync(session, subscriberId);
            await AuditStore.RecordAsync(session, AuditedWrite.Of(AuditedWrite.Subscriber, subscriberId, AuditedWrite.Deleted));
            return true;
        }, cancellationToken);

    /// <summary>The stored profile, its topics, and every delivery addressed to it (null: no such subscriber and no delivery).</summary>
    public async Task<SubscriberExport?> ExportAsync(Guid enterpriseId, string subscriberId, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
        {
            await using var grid = await session.Connection.QueryMultipleAsync(
                $"""
                SELECT {Columns} FROM notify.subscriber WHERE subscriber_id = @subscriberId;
                SELECT topic_key FROM notify.topic_subscriber WHERE subscriber_id = @subscriberId ORDER BY topic_key;
                SELECT d.notification_id AS NotificationId, d.id AS DeliveryId, n.workflow_key AS WorkflowKey,
                       d.status::text AS Status, d.recipient::text AS Recipient, n.payload::text AS Payload,
                       d.created_at AS CreatedAt, d.sent_at AS SentAt
                FROM notify.ent_notification_delivery d
                JOIN notify.ent_notification n ON n.id = d.notification_id
                WHERE d.subscriber_id = @subscriberId
                ORDER BY d.created_at, d.id;
                """,
                new { subscriberId },
                session.Transaction);
            var profile = await grid.ReadSingleOrDefaultAsync<SubscriberRow>();
            var topics = (await grid.ReadAsync<string>()).AsList();
            var deliveries = (await grid.ReadAsync<(long NotificationId, long DeliveryId, string WorkflowKey, string Status, string? Recipient, string? Payload, DateTime CreatedAt, DateTime? SentAt)>())
                .Select(d => new ExportedDelivery(d.NotificationId, d.DeliveryId, d.WorkflowKey, d.Status, Parse(d.Recipient), Parse(d.Payload), d.CreatedAt, d.SentAt))
                .ToList();
            return profile is null
                ? null
                : new SubscriberExport(profile.ToResponse(), topics, deliveries);
        }, cancellationToken);

    /// <summary>
    /// Erases a subscriber: the profile (and so its topic memberships), and the personal fields of its past
    /// deliveries and of the recipient lists of its past notifications, which keep only the subscriber id
    /// (the key the history is counted by). Null when there was nothing to erase.
    /// </summary>
    public async Task<(int Deliveries, int Notifications)?> EraseAsync(Guid enterpriseId, string subscriberId, CancellationToken cancellationToken) =>
        await database.InTenantAsync<(int, int)?>(enterpriseId, async session =>
        {
            var deleted = await session.Connection.ExecuteAsync(
                "DELETE FROM notify.subscriber WHERE subscriber_id = @subscriberId", new { subscriberId }, session.Transaction);
            var deliveries = await session.Connection.ExecuteAsync(
                """
                UPDATE notify.ent_notification_delivery
                SET recipient = jsonb_build_object('subscriberId', subscriber_id, 'erased', true), updated_at = now()
                WHERE subscriber_id = @subscriberId AND recipient IS DISTINCT FROM jsonb_build_object('subscriberId', subscriber_id, 'erased', true)
                """,
                new { subscriberId },
                session.Transaction);
            var notifications = await session.Connection.ExecuteAsync(
                """
                UPDATE notify.ent_notification n
                SET recipients = (
                        SELECT jsonb_agg(CASE WHEN jsonb_typeof(e.value) = 'object' AND e.value ->> 'subscriberId' = @subscriberId
                                              THEN to_jsonb(@subscriberId::text) ELSE e.value END ORDER BY e.ordinal)
                        FROM jsonb_array_elements(n.recipients) WITH ORDINALITY AS e(value, ordinal)),
                    updated_at = now()
                WHERE jsonb_typeof(n.recipients) = 'array'
                  AND n.recipients @> jsonb_build_array(jsonb_build_object('subscriberId', @subscriberId::text))
                """,
                new { subscriberId },
                session.Transaction);
            if (deleted == 0 && deliveries == 0 && notifications == 0)
            {
                return null;
            }

            // Novu holds the subscriber too (the directory's sync, or any trigger to it): removed there until Novu confirms.
            await NovuRemovalStore.EnqueueSubscriberAsync(session, subscriberId);
            await AuditStore.RecordAsync(session, AuditedWrite.Of(AuditedWrite.Subscriber, subscriberId, AuditedWrite.Deleted));
            return (deliveries, notifications);
        }, cancellationToken);

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
