using System.Text.Json;
using Dapper;
using XNovu.Api.Enterprises;
using XNovu.Core.Persistence;

namespace XNovu.Api.Webhooks;

/// <remarks>Dapper reads a text[] as <see cref="Array"/>, which no record takes, so event types come as JSON.</remarks>
internal sealed record WebhookEndpointRow(
    Guid Id, string Url, string? Description, string EventTypes, DateTime? DisabledAt, string? DisabledReason,
    DateTime? FailingSince, DateTime? PreviousSecretExpiresAt, DateTime CreatedAt, DateTime UpdatedAt, string Secret)
{
    public const string Columns =
        """
        id, url, description, to_jsonb(event_types)::text AS EventTypes, disabled_at AS DisabledAt, disabled_reason AS DisabledReason,
        failing_since AS FailingSince, previous_secret_expires_at AS PreviousSecretExpiresAt, created_at AS CreatedAt,
        updated_at AS UpdatedAt, secret
        """;

    public WebhookEndpointResponse ToResponse(string? secret = null) => new(
        Id, Url, Description, JsonSerializer.Deserialize<string[]>(EventTypes)!, DisabledAt is null, DisabledAt, DisabledReason,
        FailingSince, PreviousSecretExpiresAt, CreatedAt, UpdatedAt, secret);
}

internal sealed record WebhookMessageRow(
    long Id, string EventType, string Status, int Attempts, DateTime NextAttemptAt, DateTime CreatedAt, DateTime? DeliveredAt, string Payload)
{
    public WebhookMessageResponse ToResponse() => new(
        Id, "msg_" + Id.ToString(System.Globalization.CultureInfo.InvariantCulture), EventType, Status, Attempts, NextAttemptAt,
        CreatedAt, DeliveredAt, JsonDocument.Parse(Payload).RootElement.Clone());
}

/// <summary>
/// The SQL of the enterprises' webhook endpoints, their outbox messages and their attempts, each in the
/// enterprise's own scope (row-level security): another tenant's endpoint or message is simply not found.
/// A replay makes messages due now (attempts from zero, the schedule from its start) under their own webhook-id.
/// </summary>
public sealed class WebhookStore(XNovuDatabase database)
{
    public const int MaxReplay = 10_000;

    public Task<bool> AllowsPrivateAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteScalarAsync<bool>(
            "SELECT coalesce((SELECT webhooks_allow_private FROM notify.enterprise WHERE id = @enterpriseId), false)",
            new { enterpriseId }, session.Transaction), cancellationToken);

    /// <summary>Null when the enterprise does not exist.</summary>
    public Task<bool?> SetAllowPrivateAsync(Guid enterpriseId, bool allow, CancellationToken cancellationToken) =>
        database.InTenantAsync<bool?>(enterpriseId, async session =>
        {
            if (!await EnterpriseStore.ExistsAsync(session, enterpriseId))
            {
                return null;
            }

            await session.Connection.ExecuteAsync(
                "UPDATE notify.enterprise SET webhooks_allow_private = @allow WHERE id = @enterpriseId",
                new { enterpriseId, allow }, session.Transaction);
            return allow;
        }, cancellationToken);

    internal Task<int> CountAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM notify.ent_webhook_endpoint", transaction: session.Transaction), cancellationToken);

    internal Task<WebhookEndpointRow> CreateAsync(
        Guid enterpriseId, string url, string? description, string[] eventTypes, string protectedSecret, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleAsync<WebhookEndpointRow>(
            $"""
            INSERT INTO notify.ent_webhook_endpoint (enterprise_id, url, description, event_types, secret)
            VALUES (@enterpriseId, @url, @description, @eventTypes, @protectedSecret)
            RETURNING {WebhookEndpointRow.Columns}
            """,
            new { enterpriseId, url, description, eventTypes, protectedSecret }, session.Transaction), cancellationToken);

    internal Task<IReadOnlyList<WebhookEndpointRow>> ListAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<WebhookEndpointRow>>(enterpriseId, async session => (await session.Connection.QueryAsync<WebhookEndpointRow>(
            $"SELECT {WebhookEndpointRow.Columns} FROM notify.ent_webhook_endpoint ORDER BY created_at, id",
            transaction: session.Transaction)).AsList(), cancellationToken);

    internal Task<WebhookEndpointRow?> GetAsync(Guid enterpriseId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<WebhookEndpointRow>(
            $"SELECT {WebhookEndpointRow.Columns} FROM notify.ent_webhook_endpoint WHERE id = @id",
            new { id }, session.Transaction), cancellationToken);

    /// <summary>
    /// Changes what is given. Enabling clears the disablement and the failing streak; disabling by hand fails the
    /// messages still waiting, as any disablement does (they can be replayed).
    /// </summary>
    internal Task<WebhookEndpointRow?> UpdateAsync(
        Guid enterpriseId, Guid id, string? url, string? description, string[]? eventTypes, bool? enabled, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            var row = await session.Connection.QuerySingleOrDefaultAsync<WebhookEndpointRow>(
                $"""
                UPDATE notify.ent_webhook_endpoint
                SET url = coalesce(@url, url), description = coalesce(@description, description),
                    event_types = coalesce(@eventTypes, event_types),
                    disabled_at = CASE WHEN @enabled IS TRUE THEN NULL WHEN @enabled IS FALSE THEN coalesce(disabled_at, now()) ELSE disabled_at END,
                    disabled_reason = CASE WHEN @enabled IS TRUE THEN NULL WHEN @enabled IS FALSE AND disabled_at IS NULL THEN 'Disabled by the enterprise.' ELSE disabled_reason END,
                    failing_since = CASE WHEN @enabled IS TRUE THEN NULL ELSE failing_since END,
                    updated_at = now()
                WHERE id = @id
                RETURNING {WebhookEndpointRow.Columns}
                """,
                new { id, url, description, eventTypes, enabled }, session.Transaction);
            if (row is not null && enabled is false)
            {
                await session.Connection.ExecuteAsync(
                    "UPDATE notify.ent_webhook_message SET status = 'failed', lease_owner = NULL WHERE endpoint_id = @id AND status = 'pending'",
                    new { id }, session.Transaction);
            }

            return row;
        }, cancellationToken);

    internal Task<bool> DeleteAsync(Guid enterpriseId, Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session => await session.Connection.ExecuteAsync(
            "DELETE FROM notify.ent_webhook_endpoint WHERE id = @id", new { id }, session.Transaction) > 0, cancellationToken);

    /// <summary>The new secret replaces the current one, which keeps signing until <paramref name="overlapUntil"/>.</summary>
    internal Task<WebhookEndpointRow?> RotateAsync(Guid enterpriseId, Guid id, string protectedSecret, DateTimeOffset overlapUntil, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<WebhookEndpointRow>(
            $"""
            UPDATE notify.ent_webhook_endpoint
            SET previous_secret = secret, previous_secret_expires_at = @overlapUntil, secret = @protectedSecret, updated_at = now()
            WHERE id = @id
            RETURNING {WebhookEndpointRow.Columns}
            """,
            new { id, protectedSecret, overlapUntil = overlapUntil.UtcDateTime }, session.Transaction), cancellationToken);

    internal Task<IReadOnlyList<WebhookMessageRow>> MessagesAsync(Guid enterpriseId, Guid endpointId, string? status, int limit, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<WebhookMessageRow>>(enterpriseId, async session => (await session.Connection.QueryAsync<WebhookMessageRow>(
            """
            SELECT id, event_type AS EventType, status, attempts, next_attempt_at AS NextAttemptAt, created_at AS CreatedAt,
                   delivered_at AS DeliveredAt, payload::text AS Payload
            FROM notify.ent_webhook_message
            WHERE endpoint_id = @endpointId AND (@status::text IS NULL OR status = @status)
            ORDER BY id DESC
            LIMIT @limit
            """,
            new { endpointId, status, limit }, session.Transaction)).AsList(), cancellationToken);

    public Task<IReadOnlyList<WebhookAttemptResponse>> AttemptsAsync(Guid enterpriseId, Guid endpointId, int limit, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<WebhookAttemptResponse>>(enterpriseId, async session => (await session.Connection.QueryAsync<WebhookAttemptResponse>(
            """
            SELECT a.id, a.message_id AS MessageId, 'msg_' || a.message_id AS WebhookId, m.event_type AS EventType, a.attempt,
                   a.attempted_at AS AttemptedAt, a.outcome, a.http_status AS HttpStatus, a.duration_ms AS DurationMs, a.error, a.response
            FROM notify.ent_webhook_attempt a
            JOIN notify.ent_webhook_message m ON m.id = a.message_id
            WHERE a.endpoint_id = @endpointId
            ORDER BY a.id DESC
            LIMIT @limit
            """,
            new { endpointId, limit }, session.Transaction)).AsList(), cancellationToken);

    /// <summary>Messages made due now; 0 when none matched. Only for an enabled endpoint (the caller checks).</summary>
    internal Task<int> ReplayAsync(
        Guid enterpriseId, Guid endpointId, long? messageId, DateTimeOffset? since, DateTimeOffset? until, bool onlyFailed, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            var replayed = await session.Connection.ExecuteAsync(
                """
                UPDATE notify.ent_webhook_message m
                SET status = 'pending', attempts = 0, next_attempt_at = now(), lease_owner = NULL
                WHERE m.id IN (
                    SELECT o.id FROM notify.ent_webhook_message o
                    WHERE o.endpoint_id = @endpointId
                      AND (@messageId::bigint IS NULL OR o.id = @messageId)
                      AND (@since::timestamptz IS NULL OR o.created_at >= @since)
                      AND (@until::timestamptz IS NULL OR o.created_at < @until)
                      AND (NOT @onlyFailed OR o.status = 'failed')
                      AND o.status <> 'pending'
                    ORDER BY o.id
                    LIMIT @max)
                """,
                new { endpointId, messageId, since = since?.UtcDateTime, until = until?.UtcDateTime, onlyFailed, max = MaxReplay },
                session.Transaction);
            if (replayed > 0)
            {
                await session.Connection.ExecuteAsync("SELECT pg_notify(@channel, '')", new { channel = NotifyChannels.Webhooks }, session.Transaction);
            }

            return replayed;
        }, cancellationToken);
}
