using System.Text.Json.Nodes;
using Dapper;
using Npgsql;

namespace XNovu.Cli.Import;

/// <summary>
/// The notifications part of a cutover (<c>xnovu import --notifications</c>): the original's PENDING rows, due or
/// scheduled for later, become XNovu notifications with the same transaction id, recipients (the original's
/// <c>UUID[]</c>, as subscriber ids), payload, overrides, tags, category and priority, and the same
/// <c>scheduled_for</c> when it is still ahead. A row is marked moved in the original before XNovu is asked and
/// put back when XNovu refuses it, so it is sent by exactly one of the two systems even while the original's
/// worker still runs; a re-run after a crash finds the rows marked moved and brings them again, which XNovu
/// answers 409 (already there) for those it got.
/// </summary>
internal static class Cutover
{
    /// <summary>The start of <c>retraction_reason</c> on a row a cutover moved; its transaction id follows.</summary>
    public const string MovedReason = "moved to XNovu, transaction id ";

    /// <summary>At most this many per bulk trigger call (the API takes 1,000; a smaller batch keeps claims short).</summary>
    public const int BatchSize = 100;

    public static List<NotificationDefinition> Plan(
        IReadOnlyList<OriginalNotification> rows,
        IReadOnlyDictionary<long, string> workflowKeys,
        IReadOnlyDictionary<long, string> categoryCodes,
        IReadOnlyDictionary<long, string> priorityCodes,
        List<ImportEntry> entries)
    {
        var result = new List<NotificationDefinition>();
        foreach (var row in rows)
        {
            var label = $"{row.Id} {row.Name}";
            var claimed = row.NotificationStatus == "RETRACTED";
            if (row.NotificationStatus == "PROCESSING")
            {
                // Its worker set PROCESSING before calling Novu and was stopped: it may or may not have been sent.
                entries.Add(ImportEntry.Skip("notification", label, "it is PROCESSING in the original, whose worker may have sent it: check Novu, then set it PENDING there and re-run to bring it"));
                continue;
            }

            if (!claimed && row.PublishStatus != "PUBLISH")
            {
                entries.Add(ImportEntry.Skip("notification", label, $"it is {row.PublishStatus} in the original, whose worker sent only PUBLISH rows"));
                continue;
            }

            var problems = new List<string>();
            string? workflowKey = null;
            if (row.WorkflowId is not { } workflowId || !workflowKeys.TryGetValue(workflowId, out workflowKey))
            {
                problems.Add(row.WorkflowId is null ? "it names no workflow" : $"its workflow id {row.WorkflowId} is not a workflow of this enterprise");
            }

            if (Conversion.Json(row.Payload) is not JsonObject payload)
            {
                problems.Add("its payload is not a JSON object");
                payload = [];
            }

            var overrides = Conversion.Json(row.Overrides);
            if (overrides is not null and not JsonObject)
            {
                problems.Add("its overrides are not a JSON object");
            }

            if (row.Recipients.Length == 0)
            {
                problems.Add("it has no recipients (the original sent it to nobody)");
            }

            if (problems.Count > 0)
            {
                entries.Add(ImportEntry.Unconverted("notification", label, string.Join("; ", problems) + "; it stays PENDING in the original"));
                continue;
            }

            var transactionId = claimed
                ? row.RetractionReason![MovedReason.Length..]
                : row.TransactionId is { Length: > 0 } given ? given : $"original-{row.Id}";
            var category = Code(row.CategoryId, categoryCodes, "category", label, entries);
            var priority = Code(row.PriorityId, priorityCodes, "priority", label, entries);
            DateTimeOffset? scheduledFor = row.ScheduledFor is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
            result.Add(new NotificationDefinition(
                row.Id, row.Name, workflowKey!, payload, row.Recipients, overrides as JsonObject, row.Tags, transactionId,
                scheduledFor, category, priority, claimed));
        }

        return result;
    }

    /// <summary>Brings the planned notifications, a batch at a time; answers one report entry per notification.</summary>
    public static async Task<List<ImportEntry>> RunAsync(
        IReadOnlyList<NotificationDefinition> notifications, IXNovuImportTarget target, IOriginalClaims? claims, bool dryRun,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var entries = new List<ImportEntry>();
        foreach (var batch in notifications.Chunk(BatchSize))
        {
            if (dryRun || claims is null)
            {
                entries.AddRange(batch.Select(n => new ImportEntry(ImportAction.Create, "notification", n.Label, Describe(n))));
                continue;
            }

            var claimedNow = await claims.ClaimAsync(batch.Where(n => !n.Claimed).ToList(), cancellationToken);
            var send = new List<NotificationDefinition>();
            foreach (var notification in batch)
            {
                if (notification.Claimed || claimedNow.Contains(notification.OriginalId))
                {
                    send.Add(notification);
                }
                else
                {
                    entries.Add(ImportEntry.Skip("notification", notification.Label, "the original's worker took it first (it is no longer PENDING there)"));
                }
            }

            if (send.Count == 0)
            {
                continue;
            }

            // Due now once its time has passed: XNovu refuses nothing for that, but sends it at once either way.
            var now = time.GetUtcNow();
            var outcomes = await target.TriggerAsync(send.Select(n => n.ScheduledFor <= now ? n with { ScheduledFor = null } : n).ToList(), cancellationToken);
            for (var i = 0; i < send.Count; i++)
            {
                var (notification, outcome) = (send[i], outcomes[i]);
                if (outcome.Status is >= 200 and < 300)
                {
                    entries.Add(new ImportEntry(ImportAction.Create, "notification", notification.Label, Describe(notification)));
                }
                else if (outcome.Status == 409)
                {
                    entries.Add(new ImportEntry(ImportAction.Unchanged, "notification", notification.Label, $"already in XNovu as transaction id {notification.TransactionId}"));
                }
                else
                {
                    await claims.ReleaseAsync(notification, cancellationToken);
                    entries.Add(new ImportEntry(ImportAction.Failed, "notification", notification.Label, $"{outcome.Status}: {outcome.Detail}; it is PENDING again in the original"));
                }
            }
        }

        return entries;
    }

    private static string Describe(NotificationDefinition n) =>
        $"workflow {n.WorkflowKey}, transaction id {n.TransactionId}, {n.Recipients.Count} recipient(s)"
        + (n.ScheduledFor is { } at ? $", scheduled for {at:O}" : string.Empty);

    private static string? Code(long? id, IReadOnlyDictionary<long, string> codes, string noun, string label, List<ImportEntry> entries)
    {
        if (id is not { } value)
        {
            return null;
        }

        if (codes.TryGetValue(value, out var code))
        {
            return code;
        }

        entries.Add(ImportEntry.Note("notification", label, $"its {noun} id {value} is not a live {noun} of this enterprise and was left out"));
        return null;
    }
}

/// <summary><see cref="IOriginalClaims"/> on the original's database: needs UPDATE on <c>notify.ent_notification</c>.</summary>
internal sealed class OriginalNotificationClaims(string connectionString, Guid enterpriseId) : IOriginalClaims
{
    public async Task<IReadOnlySet<long>> ClaimAsync(IReadOnlyList<NotificationDefinition> notifications, CancellationToken cancellationToken)
    {
        if (notifications.Count == 0)
        {
            return new HashSet<long>();
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // One statement: a row is ours only if it is still PENDING and PUBLISH when the update reaches it (the
        // original's worker sets PROCESSING before it sends), so the two systems never both send it.
        var claimed = await connection.QueryAsync<long>(new CommandDefinition(
            """
            UPDATE notify.ent_notification n
            SET notification_status = 'RETRACTED', retracted_at = now(), updated_at = now(),
                retraction_reason = @moved || m.transaction_id
            FROM unnest(@ids, @transactionIds) AS m (id, transaction_id)
            WHERE n.id = m.id AND n.enterprise_id = @enterpriseId
              AND n.notification_status = 'PENDING' AND n.publish_status = 'PUBLISH'
            RETURNING n.id
            """,
            new
            {
                enterpriseId,
                moved = Cutover.MovedReason,
                ids = notifications.Select(n => n.OriginalId).ToArray(),
                transactionIds = notifications.Select(n => n.TransactionId).ToArray(),
            },
            cancellationToken: cancellationToken));
        return claimed.ToHashSet();
    }

    public async Task ReleaseAsync(NotificationDefinition notification, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE notify.ent_notification
            SET notification_status = 'PENDING', retracted_at = NULL, retraction_reason = NULL, updated_at = now()
            WHERE id = @id AND enterprise_id = @enterpriseId AND notification_status = 'RETRACTED' AND retraction_reason = @reason
            """,
            new
            {
                enterpriseId,
                id = notification.OriginalId,
                reason = Cutover.MovedReason + notification.TransactionId,
            },
            cancellationToken: cancellationToken));
    }
}
