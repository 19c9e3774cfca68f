using Dapper;
using Npgsql;
using XNovu.Api.Audit;
using XNovu.Core.Persistence;

namespace XNovu.Api.Topics;

/// <summary>
/// All SQL of topics and their members, under the enterprise's row-level security. Each write records itself in the
/// audit trail in its own transaction (<see cref="AuditStore.RecordAsync"/>); a change of members is the topic's
/// <c>subscribers</c> updated, recorded only when a member was added or removed.
/// </summary>
internal sealed class TopicStore(XNovuDatabase database)
{
    private const string TopicColumns =
        """
        t.topic_key AS TopicKey, t.name, (SELECT count(*) FROM notify.topic_subscriber m WHERE m.topic_key = t.topic_key) AS Subscribers,
        t.created_at AS CreatedAt
        """;

    /// <summary>The new topic, or null when the key is taken.</summary>
    public async Task<TopicResponse?> CreateAsync(Guid enterpriseId, string topicKey, string? name, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
        {
            var topic = await session.Connection.QuerySingleOrDefaultAsync<TopicResponse>(
                """
                INSERT INTO notify.topic (enterprise_id, topic_key, name) VALUES (@enterpriseId, @topicKey, @name)
                ON CONFLICT DO NOTHING
                RETURNING topic_key AS TopicKey, name, 0::bigint AS Subscribers, created_at AS CreatedAt
                """,
                new { enterpriseId, topicKey, name },
                session.Transaction);
            if (topic is not null)
            {
                await AuditStore.RecordAsync(session, AuditedWrite.Of(AuditedWrite.Topic, topicKey, AuditedWrite.Created));
            }

            return topic;
        }, cancellationToken);

    public async Task<TopicResponse?> FindAsync(Guid enterpriseId, string topicKey, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
            await session.Connection.QuerySingleOrDefaultAsync<TopicResponse>(
                $"SELECT {TopicColumns} FROM notify.topic t WHERE t.topic_key = @topicKey", new { topicKey }, session.Transaction),
            cancellationToken);

    public async Task<IReadOnlyList<TopicResponse>> ListAsync(Guid enterpriseId, string? after, int fetch, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
            (IReadOnlyList<TopicResponse>)(await session.Connection.QueryAsync<TopicResponse>(
                $"""
                SELECT {TopicColumns} FROM notify.topic t
                WHERE @after::text IS NULL OR t.topic_key > @after
                ORDER BY t.topic_key LIMIT @fetch
                """,
                new { after, fetch },
                session.Transaction)).AsList(), cancellationToken);

    public async Task<bool> DeleteAsync(Guid enterpriseId, string topicKey, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
        {
            if (await session.Connection.ExecuteAsync("DELETE FROM notify.topic WHERE topic_key = @topicKey", new { topicKey }, session.Transaction) == 0)
            {
                return false;
            }

            await AuditStore.RecordAsync(session, AuditedWrite.Of(AuditedWrite.Topic, topicKey, AuditedWrite.Deleted));
            return true;
        }, cancellationToken);

    /// <summary>
    /// Adds members, creating in the directory any subscriber it does not know yet (id only, as Novu creates a
    /// subscriber it is first told about). Null when the topic does not exist.
    /// </summary>
    public async Task<TopicMembersAdded?> AddMembersAsync(Guid enterpriseId, string topicKey, IReadOnlyCollection<string> subscriberIds, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
        {
            if (!await ExistsAsync(session, topicKey))
            {
                return null;
            }

            var ids = subscriberIds.Distinct(StringComparer.Ordinal).ToArray();
            await session.Connection.ExecuteAsync(
                "INSERT INTO notify.subscriber (enterprise_id, subscriber_id) SELECT @enterpriseId, id FROM unnest(@ids) AS id ON CONFLICT DO NOTHING",
                new { enterpriseId, ids },
                session.Transaction);
            var added = await session.Connection.ExecuteAsync(
                """
                INSERT INTO notify.topic_subscriber (enterprise_id, topic_key, subscriber_id)
                SELECT @enterpriseId, @topicKey, id FROM unnest(@ids) AS id
                ON CONFLICT DO NOTHING
                """,
                new { enterpriseId, topicKey, ids },
                session.Transaction);
            await RecordMembersChangedAsync(session, topicKey, added);
            return new TopicMembersAdded(added, ids.Length - added);
        }, cancellationToken);

    public async Task<TopicMembersRemoved?> RemoveMembersAsync(Guid enterpriseId, string topicKey, IReadOnlyCollection<string> subscriberIds, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
        {
            if (!await ExistsAsync(session, topicKey))
            {
                return null;
            }

            var removed = await session.Connection.ExecuteAsync(
                "DELETE FROM notify.topic_subscriber WHERE topic_key = @topicKey AND subscriber_id = ANY(@ids)",
                new { topicKey, ids = subscriberIds.ToArray() },
                session.Transaction);
            await RecordMembersChangedAsync(session, topicKey, removed);
            return new TopicMembersRemoved(removed);
        }, cancellationToken);

    /// <summary>A page of members ordered by subscriber id; null when the topic does not exist.</summary>
    public async Task<IReadOnlyList<TopicMember>?> MembersAsync(Guid enterpriseId, string topicKey, string? after, int fetch, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
            await ExistsAsync(session, topicKey)
                ? (await session.Connection.QueryAsync<TopicMember>(
                    """
                    SELECT subscriber_id AS SubscriberId, created_at AS AddedAt FROM notify.topic_subscriber
                    WHERE topic_key = @topicKey AND (@after::text IS NULL OR subscriber_id > @after)
                    ORDER BY subscriber_id LIMIT @fetch
                    """,
                    new { topicKey, after, fetch },
                    session.Transaction)).AsList()
                : null, cancellationToken);

    /// <summary>
    /// The members of each named topic, in a trigger's transaction, up to <paramref name="limit"/> per topic
    /// (enough to tell that the cap is passed); a key naming no topic of this enterprise is absent.
    /// </summary>
    public static async Task<Dictionary<string, string[]>> AudienceAsync(TenantSession session, IReadOnlyCollection<string> topicKeys, int limit)
    {
        var rows = await session.Connection.QueryAsync<(string TopicKey, string[] Members)>(
            """
            SELECT t.topic_key, ARRAY(SELECT m.subscriber_id FROM notify.topic_subscriber m
                                      WHERE m.topic_key = t.topic_key ORDER BY m.subscriber_id LIMIT @limit)
            FROM notify.topic t WHERE t.topic_key = ANY(@topicKeys)
            """,
            new { topicKeys = topicKeys.ToArray(), limit },
            session.Transaction);
        return rows.ToDictionary(r => r.TopicKey, r => r.Members, StringComparer.Ordinal);
    }

    /// <summary>The next batch of a notification's deliveries, each batch its own transaction; answers how many remain.</summary>
    public async Task<int> ExpandAsync(Guid enterpriseId, long notificationId, int batchSize, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, async session =>
            await session.Connection.ExecuteScalarAsync<int>(
                "SELECT notify.expand_deliveries(@notificationId, @batchSize)", new { notificationId, batchSize }, session.Transaction),
            cancellationToken);

    /// <summary>One batch of an expansion abandoned by a crashed instance, if any (the one path across enterprises here).</summary>
    public async Task<(long NotificationId, int Remaining)?> ResumeAsync(int batchSize, int idleSeconds, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await database.OpenUnscopedAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long NotificationId, int Remaining)>(
            new CommandDefinition(
                "SELECT notification_id, remaining FROM notify.resume_expansion(@batchSize, @idleSeconds)",
                new { batchSize, idleSeconds },
                cancellationToken: cancellationToken));
        return rows.Select(r => ((long, int)?)r).FirstOrDefault();
    }

    private static Task RecordMembersChangedAsync(TenantSession session, string topicKey, int changed) =>
        changed == 0
            ? Task.CompletedTask
            : AuditStore.RecordAsync(session, AuditedWrite.Of(AuditedWrite.Topic, topicKey, AuditedWrite.Updated, ["subscribers"]));

    private static Task<bool> ExistsAsync(TenantSession session, string topicKey) =>
        session.Connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM notify.topic WHERE topic_key = @topicKey)", new { topicKey }, session.Transaction);
}
