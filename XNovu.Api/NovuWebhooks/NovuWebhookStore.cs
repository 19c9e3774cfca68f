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
