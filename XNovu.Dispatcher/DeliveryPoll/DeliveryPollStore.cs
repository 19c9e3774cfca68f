using System.Text.Json;
using Dapper;
using Npgsql;
using XNovu.Dispatcher.Dispatch;

namespace XNovu.Dispatcher.DeliveryPoll;

/// <summary>A delivery claimed for a poll: Novu is asked in its enterprise's environment (own, or the shared one).</summary>
public sealed record PolledDelivery(long DeliveryId, Guid EnterpriseId, bool OwnEnvironment, string TransactionId, int Polls);

/// <summary>One event learned from Novu, applied as a webhook would be (<c>notify.apply_novu_webhook</c>, source <c>poll</c>).</summary>
public sealed record PolledEvent(
    Guid? Environment, Guid Enterprise, string TransactionId, string Event, DateTimeOffset OccurredAt, string? MessageId,
    string? Channel, string? ProviderId, string? ErrorId, string? ErrorText);

/// <summary>
/// The poll's statements: the claim (<c>notify.claim_outcome_polls</c>) and the application of what Novu said, a
/// batch of events in one round trip through the webhook receiver's own function, so a polled event and a webhook
/// about the same message make one timeline row, whichever comes first.
/// </summary>
public sealed class DeliveryPollStore([FromKeyedServices(DeliveryStore.DataSourceKey)] NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<PolledDelivery>> ClaimAsync(DeliveryPollOptions settings, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<PolledDelivery>(new CommandDefinition(
            """
            SELECT delivery_id AS DeliveryId, enterprise_id AS EnterpriseId, own_environment AS OwnEnvironment,
                   transaction_id AS TransactionId, polls AS Polls
            FROM notify.claim_outcome_polls(@after, @giveUp, @batch, @perEnterprise, @sharedSendsWebhooks, @wait, @maxWait)
            """,
            new
            {
                after = settings.After.TotalSeconds, giveUp = settings.GiveUpAfter.TotalSeconds, batch = settings.BatchSize,
                perEnterprise = settings.PerEnterprise, sharedSendsWebhooks = settings.SharedEnvironmentSendsWebhooks,
                wait = settings.Wait.TotalSeconds, maxWait = settings.MaxWait.TotalSeconds,
            },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>How many events were new (the others were known already, from a webhook or an earlier poll).</summary>
    public async Task<int> ApplyAsync(IReadOnlyList<PolledEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return 0;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            SELECT count(*) FILTER (WHERE r = 'applied')::integer
            FROM (
                SELECT notify.apply_novu_webhook(e.environment, NULL, e.enterprise, e."transactionId", e.event, e."occurredAt",
                                                 e."messageId", e.channel, e."providerId", e."errorId", e."errorText", 'poll') AS r
                FROM jsonb_to_recordset(@events::jsonb) AS e(environment uuid, enterprise uuid, "transactionId" text, event text,
                     "occurredAt" timestamptz, "messageId" text, channel text, "providerId" text, "errorId" text, "errorText" text)
                ORDER BY e."occurredAt"
            ) applied
            """,
            new { events = JsonSerializer.Serialize(events, Json) }, cancellationToken: cancellationToken));
    }
}
