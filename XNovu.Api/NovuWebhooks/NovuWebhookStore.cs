using System.Text.Json;
using Dapper;
using XNovu.Api.Enterprises;
using XNovu.Core.Persistence;

namespace XNovu.Api.NovuWebhooks;

/// <summary>
/// The SQL of the Novu webhook receiver: an enterprise's own environment's signing secret (Data Protection
/// ciphertext, in its own scope) and <c>notify.apply_novu_webhook</c>, which dedupes, records and queues in one call.
/// </summary>
public sealed class NovuWebhookStore(XNovuDatabase database)
{
    /// <summary>The stored secret of the enterprise's own environment; null when it has none (or no own environment).</summary>
    public Task<string?> GetSecretAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT secret FROM notify.enterprise_novu_webhook WHERE enterprise_id = @enterpriseId",
            new { enterpriseId }, session.Transaction), cancellationToken);

    /// <summary>Sets the secret; false when the enterprise has no own environment (or does not exist).</summary>
    public Task<bool> SetSecretAsync(Guid enterpriseId, string protectedSecret, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session => await session.Connection.ExecuteAsync(
            """
            INSERT INTO notify.enterprise_novu_webhook (enterprise_id, secret)
            SELECT enterprise_id, @protectedSecret FROM notify.enterprise_novu WHERE enterprise_id = @enterpriseId
            ON CONFLICT (enterprise_id) DO UPDATE SET secret = excluded.secret, updated_at = now()
            """,
            new { enterpriseId, protectedSecret }, session.Transaction) > 0, cancellationToken);

    /// <summary>False when the enterprise does not exist.</summary>
    public Task<bool> DeleteSecretAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            if (!await EnterpriseStore.ExistsAsync(session, enterpriseId))
            {
                return false;
            }

            await session.Connection.ExecuteAsync(
                "DELETE FROM notify.enterprise_novu_webhook WHERE enterprise_id = @enterpriseId", new { enterpriseId }, session.Transaction);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Applies several webhooks in one transaction (one statement, then the commit): each outcome in the order given.
    /// No statement waits on a lock longer than <paramref name="lockTimeout"/>. The events are applied in enterprise
    /// and transaction id order, so two batches take their deliveries' row locks in the same order.
    /// </summary>
    public async Task<string[]> ApplyBatchAsync(IReadOnlyList<WebhookToApply> batch, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var events = JsonSerializer.Serialize(batch.Select((w, i) => new
        {
            i, environment = w.Environment, webhookId = w.WebhookId, enterprise = w.Event.EnterpriseId, transactionId = w.Event.TransactionId,
            @event = w.Event.Event, occurredAt = w.Event.OccurredAt.UtcDateTime, messageId = w.Event.MessageId, channel = w.Event.Channel,
            providerId = w.Event.ProviderId, errorId = w.Event.ErrorId, errorText = w.Event.ErrorText,
        }));
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            """
            SELECT set_config('lock_timeout', @lockTimeout, true);
            SELECT e.i, notify.apply_novu_webhook(e.environment, e."webhookId", e.enterprise, e."transactionId", e.event, e."occurredAt",
                                                  e."messageId", e.channel, e."providerId", e."errorId", e."errorText", 'webhook')
            FROM (SELECT * FROM jsonb_to_recordset(@events::jsonb) AS x(i integer, environment uuid, "webhookId" text, enterprise uuid,
                      "transactionId" text, event text, "occurredAt" timestamptz, "messageId" text, channel text, "providerId" text,
                      "errorId" text, "errorText" text)
                  ORDER BY x.enterprise, x."transactionId", x.i OFFSET 0) e
            """,
            new { lockTimeout = $"{(long)Math.Ceiling(lockTimeout.TotalMilliseconds)}ms", events },
            transaction,
            cancellationToken: cancellationToken));
        await results.ReadAsync<string>();
        var outcomes = new string[batch.Count];
        foreach (var (i, outcome) in await results.ReadAsync<(int, string?)>())
        {
            outcomes[i] = outcome ?? "unmatched";
        }

        await transaction.CommitAsync(cancellationToken);
        return outcomes;
    }

    /// <summary>applied, duplicate or unmatched (see the function).</summary>
    public async Task<string> ApplyAsync(Guid? environment, string webhookId, NovuWebhookEvent e, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            """
            SELECT notify.apply_novu_webhook(@environment, @webhookId, @enterpriseId, @transactionId, @event, @occurredAt,
                                             @messageId, @channel, @providerId, @errorId, @errorText, 'webhook')
            """,
            new
            {
                environment, webhookId, enterpriseId = e.EnterpriseId, transactionId = e.TransactionId, @event = e.Event,
                occurredAt = e.OccurredAt.UtcDateTime, messageId = e.MessageId, channel = e.Channel, providerId = e.ProviderId,
                errorId = e.ErrorId, errorText = e.ErrorText,
            },
            cancellationToken: cancellationToken)) ?? "unmatched";
    }
}

/// <summary>One verified delivery webhook to apply: the environment that sent it, its webhook-id, what it says.</summary>
public sealed record WebhookToApply(Guid? Environment, string WebhookId, NovuWebhookEvent Event);
