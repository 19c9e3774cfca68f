using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using XNovu.Core.Novu;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace XNovu.Tests.Infrastructure;

/// <summary>Direct access to the database as its owner and to the emulator's inspection API.</summary>
public sealed class DispatchHarness(XNovuAppFixture fixture) : IAsyncDisposable
{
    private readonly HttpClient _novu = fixture.CreateHttpClient("novu");

    public static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    public async Task ResetEmulatorAsync()
    {
        (await _novu.DeleteAsync("/emulator/faults")).EnsureSuccessStatusCode();
        (await _novu.DeleteAsync("/emulator/requests")).EnsureSuccessStatusCode();
    }

    public async Task ClearFaultsAsync() =>
        (await _novu.DeleteAsync("/emulator/faults")).EnsureSuccessStatusCode();

    public async Task AddFaultAsync(object fault) =>
        (await _novu.PostAsJsonAsync("/emulator/faults", fault)).EnsureSuccessStatusCode();

    /// <summary>
    /// The events Novu received, as their callers know them: <c>transactionId</c> is the caller's (Novu received
    /// it scoped to the enterprise, <see cref="NovuNames.TransactionId"/>: the 32-hex prefix is taken off here) and
    /// <c>novuTransactionId</c> is what Novu received. <paramref name="transactionPrefix"/> is the caller's.
    /// </summary>
    public async Task<JsonArray> EventsAsync(string? transactionPrefix = null, string? subscriberId = null)
    {
        var query = subscriberId is null ? string.Empty : $"?subscriberId={Uri.EscapeDataString(subscriberId)}";
        var all = (await _novu.GetFromJsonAsync<JsonArray>($"/emulator/events{query}"))!;
        return new JsonArray(all
            .Select(e =>
            {
                var copy = e!.DeepClone();
                var received = (string)copy["transactionId"]!;
                copy["novuTransactionId"] = received;
                copy["transactionId"] = CallerTransactionId(received);
                return copy;
            })
            .Where(e => transactionPrefix is null || ((string)e["transactionId"]!).StartsWith(transactionPrefix, StringComparison.Ordinal))
            .ToArray());
    }

    /// <summary>The caller's id inside a plain scoped one (<c>{enterprise, 32 hex}:{id}</c>); a hashed one stays as it is.</summary>
    public static string CallerTransactionId(string novuTransactionId) =>
        novuTransactionId.Length > 33 && novuTransactionId[32] == ':' && novuTransactionId[..32].All(char.IsAsciiHexDigitLower)
            ? novuTransactionId[33..]
            : novuTransactionId;

    /// <summary>
    /// Kills both dispatcher replicas (killed rather than stopped through DCP, which refuses to stop a replica it
    /// has just restarted) and starts them again: what a crash or a redeploy does to work in flight.
    /// </summary>
    public async Task KillAndRestartDispatchersAsync()
    {
        var replicas = await DispatcherReplicasAsync();
        foreach (var (_, pid) in replicas)
        {
            System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        foreach (var (resourceId, _) in replicas)
        {
            await fixture.App.ResourceCommands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand);
        }
    }

    private async Task<List<(string ResourceId, int Pid)>> DispatcherReplicasAsync()
    {
        var found = new Dictionary<string, int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await foreach (var update in fixture.App.ResourceNotifications.WatchAsync(timeout.Token))
            {
                if (update.Resource.Name == "dispatcher"
                    && update.Snapshot.State?.Text == KnownResourceStates.Running
                    && update.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid)
                {
                    found[update.ResourceId] = Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture);
                    if (found.Count == 2)
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // fewer replicas than expected: asserted below
        }

        Assert.Equal(2, found.Count);
        return found.Select(kv => (kv.Key, kv.Value)).ToList();
    }

    public async Task<JsonArray> RequestsAsync() => (await _novu.GetFromJsonAsync<JsonArray>("/emulator/requests"))!;

    /// <summary>Inserts a PENDING notification by SQL, as another system may; answers its id and transaction id.</summary>
    public async Task<(long Id, string TransactionId)> InsertNotificationAsync(
        Guid enterpriseId, string workflowKey, string payloadJson, string recipientsJson, DateTimeOffset? scheduledFor = null, string[]? channels = null)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients, scheduled_for, channels)
            VALUES (@enterprise, @workflow, @payload::jsonb, @recipients::jsonb, @scheduled, @channels::text[]::notify.notification_channel_type[])
            RETURNING id
            """,
            connection);
        insert.Parameters.AddWithValue("enterprise", enterpriseId);
        insert.Parameters.AddWithValue("workflow", workflowKey);
        insert.Parameters.AddWithValue("payload", payloadJson);
        insert.Parameters.AddWithValue("recipients", recipientsJson);
        insert.Parameters.AddWithValue("scheduled", (object?)scheduledFor ?? DBNull.Value);
        insert.Parameters.Add(new NpgsqlParameter("channels", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)channels ?? DBNull.Value });
        var id = (long)(await insert.ExecuteScalarAsync())!;
        await using var read = new NpgsqlCommand("SELECT transaction_id FROM notify.ent_notification WHERE id = @id", connection);
        read.Parameters.AddWithValue("id", id);
        return (id, (string)(await read.ExecuteScalarAsync())!);
    }

    /// <summary>The notification's payload as stored (Novu receives only the rendered content).</summary>
    public async Task<JsonNode> PayloadAsync(long notificationId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT payload::text FROM notify.ent_notification WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", notificationId);
        return JsonNode.Parse((string)(await command.ExecuteScalarAsync())!)!;
    }

    public async Task<NotificationState> StateAsync(long notificationId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT n.notification_status::text, n.error_details::text,
                   array_agg(d.status::text ORDER BY d.ordinal), array_agg(d.attempts ORDER BY d.ordinal)
            FROM notify.ent_notification n
            JOIN notify.ent_notification_delivery d ON d.notification_id = n.id
            WHERE n.id = @id
            GROUP BY n.id
            """,
            connection);
        command.Parameters.AddWithValue("id", notificationId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new NotificationState(
            reader.GetString(0),
            reader.IsDBNull(1) ? null : JsonNode.Parse(reader.GetString(1)),
            reader.GetFieldValue<string[]>(2),
            reader.GetFieldValue<int[]>(3));
    }

    public Task<NotificationState> WaitForStatusAsync(long notificationId, string status, TimeSpan? timeout = null) =>
        Eventually.WaitForAsync(() => StateAsync(notificationId)!, s => s?.Status == status, timeout ?? DeliveryTimeout, $"notification {notificationId} to be {status}");


    public ValueTask DisposeAsync()
    {
        _novu.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed record NotificationState(string Status, JsonNode? ErrorDetails, string[] DeliveryStatuses, int[] Attempts);
