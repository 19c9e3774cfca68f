using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using XNovu.AppHost;
using XNovu.Core.Novu;
using XNovu.Core.Webhooks;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.NovuWebhooks;

/// <summary>
/// Issue 32: the receiver applies Novu's delivery webhooks in shared transactions (NovuWebhookBatcher), one commit
/// for many, and tenants share the batch, never its fate: a webhook whose delivery is locked fails its batch after
/// the lock timeout, and the others are applied alone at once.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class WebhookBatchTests(XNovuAppFixture fixture)
{
    private readonly HttpClient _api = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
    {
        BaseAddress = fixture.CreateHttpClient("api").BaseAddress,
    };

    [Fact]
    public async Task Webhooks_arriving_together_are_applied_in_fewer_transactions_than_webhooks()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var transactions = await LaterAsync(enterprise, 40);

        var webhooks = transactions.Select(t => Seen(enterprise.Id, t)).ToList();
        var answers = await Task.WhenAll(webhooks.Select(w => PostAsync(w.Id, w.Body)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NoContent, a));
        var (events, commits) = await EventsAsync(webhooks.Select(w => w.Id).ToArray());
        Assert.Equal(40, events);
        // One transaction id (xmin) per commit: applied one by one, there would be 40.
        Assert.True(commits < 40, $"{events} events were written by {commits} transactions.");
    }

    [Fact]
    public async Task A_webhook_whose_delivery_is_locked_holds_no_other_tenants_webhook()
    {
        var hostile = await fixture.CreateEnterpriseAsync();
        var victim = await fixture.CreateEnterpriseAsync();
        var locked = (await LaterAsync(hostile, 1))[0];
        var others = await LaterAsync(victim, 20);

        await using var owner = await fixture.OpenOwnerConnectionAsync();
        await using var transaction = await owner.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand(
            "SELECT id FROM notify.ent_notification_delivery WHERE enterprise_id = @e FOR UPDATE", owner, transaction))
        {
            lockRow.Parameters.AddWithValue("e", hostile.Id);
            Assert.NotNull(await lockRow.ExecuteScalarAsync());
        }

        var held = Seen(hostile.Id, locked);
        var heldAnswer = PostAsync(held.Id, held.Body);
        var clock = Stopwatch.StartNew();
        var victimWebhooks = others.Select(t => Seen(victim.Id, t)).ToList();
        var victimAnswers = await Task.WhenAll(victimWebhooks.Select(w => PostAsync(w.Id, w.Body)));
        var victimTime = clock.Elapsed;

        // The hostile webhook still waits on its lock (alone now); the victim's were all applied meanwhile.
        Assert.All(victimAnswers, a => Assert.Equal(HttpStatusCode.NoContent, a));
        Assert.True(victimTime < TimeSpan.FromSeconds(3), $"The victim's webhooks took {victimTime.TotalMilliseconds:0} ms.");
        Assert.False(heldAnswer.IsCompleted);
        Assert.Equal(20, (await EventsAsync(victimWebhooks.Select(w => w.Id).ToArray())).Events);

        await transaction.RollbackAsync();
        Assert.Equal(HttpStatusCode.NoContent, await heldAnswer);
        Assert.Equal(1, (await EventsAsync([held.Id])).Events);
    }

    /// <summary>Notifications due in an hour (no dispatch, so no webhook from the emulator): their transaction ids.</summary>
    private static async Task<List<string>> LaterAsync(TestEnterprise enterprise, int count)
    {
        var transactions = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Later());
            transactions.Add((string)accepted["transactionId"]!);
        }

        return transactions;
    }

    /// <summary>A message.seen webhook for the delivery of the transaction, as Novu's shared environment sends it.</summary>
    private static (string Id, string Body) Seen(Guid enterpriseId, string transactionId)
    {
        var id = "msg_batch_" + Guid.NewGuid().ToString("N");
        var body = new JsonObject
        {
            ["id"] = id,
            ["type"] = "message.seen",
            ["object"] = "message",
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["data"] = new JsonObject
            {
                ["object"] = new JsonObject
                {
                    ["_id"] = "m_" + Guid.NewGuid().ToString("N"),
                    ["transactionId"] = NovuNames.TransactionId(enterpriseId, transactionId),
                    ["channel"] = "email",
                    ["firstSeenDate"] = DateTimeOffset.UtcNow.ToString("O"),
                },
            },
        };
        return (id, body.ToJsonString());
    }

    private async Task<HttpStatusCode> PostAsync(string id, string body)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/novu/webhooks/shared")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(StandardWebhook.IdHeader, id);
        request.Headers.Add(StandardWebhook.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(StandardWebhook.SignatureHeader, StandardWebhook.Sign(id, timestamp, Encoding.UTF8.GetBytes(body), [EmulatorSecrets.WebhookSecret]));
        using var answer = await _api.SendAsync(request);
        return answer.StatusCode;
    }

    /// <summary>How many events the webhooks wrote, and in how many transactions (distinct xmin).</summary>
    private async Task<(int Events, int Commits)> EventsAsync(string[] webhookIds)
    {
        await using var owner = await fixture.OpenOwnerConnectionAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*)::int, count(DISTINCT xmin::text)::int FROM notify.ent_delivery_event WHERE webhook_id = ANY(@ids)", owner);
        command.Parameters.AddWithValue("ids", webhookIds);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.GetInt32(1));
    }
}
