using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace XNovu.Testing.NoisyNeighbours;

/// <summary>The attacker's side of each attack: what it prepares before the victim starts, and what it does during.</summary>
public sealed partial class NoisyNeighbourSuite
{
    private const string HotSubscriber = "hot";
    private const string LongHistorySubscriber = "long-history";
    private const string HeavyKey = "noisy-heavy";

    /// <summary>
    /// A template that loops as long as the render budget lets it: at save time its preview (no <c>n</c> in the
    /// sample payload, so the outer loop runs once) still walks 10,000 × 10,000 items until the budget stops it, and
    /// at dispatch a payload's <c>n</c> does the same.
    /// </summary>
    private const string HeavyBody = "{% for i in (1..10000) %}{% for j in (1..10000) %}{% endfor %}{% endfor %}{{ payload.n }}";

    private async Task<object?> PrepareAsync(string attack, Enterprise attacker, CancellationToken cancellationToken)
    {
        switch (attack)
        {
            case "lock":
                await ReadAsync(await attacker.Client.PutAsJsonAsync($"/api/subscribers/{HotSubscriber}", new { email = "hot@example.com" }, cancellationToken), "creating the hot subscriber");
                return null;
            case "render-budget":
                // Saved as a draft (the save itself may be refused at the budget: that is part of the attack), then
                // a workflow that uses it; the attacker's triggers are what the dispatchers must render.
                var saved = await attacker.Client.PostAsJsonAsync("/api/templates", HeavyTemplate(), cancellationToken);
                var workflow = await attacker.Client.PostAsJsonAsync(
                    "/api/workflows",
                    new { workflowKey = HeavyKey, name = "Heavy", defaultChannels = new[] { "SMS" }, templateOverrides = new Dictionary<string, string> { ["SMS"] = HeavyKey } },
                    cancellationToken);
                var published = await attacker.Client.PostAsync($"/api/templates/{HeavyKey}/publish", null, cancellationToken);
                var workflowPublished = await attacker.Client.PostAsync($"/api/workflows/{HeavyKey}/publish", null, cancellationToken);
                return $"template saved {Describe(saved)}, published {Describe(published)}; workflow {Describe(workflow)}, published {Describe(workflowPublished)}";
            case "erase":
                await WriteHistoryAsync(attacker.Id, cancellationToken);
                return null;
            default:
                return null;
        }
    }

    private static object HeavyTemplate() => new
    {
        templateKey = HeavyKey,
        name = "Heavy",
        channelType = "SMS",
        bodyTemplate = HeavyBody,
    };

    private async Task AttackAsync(
        string attack, Enterprise attacker, object? prepared, ConcurrentDictionary<string, int> answers, CancellationToken stop, CancellationToken cancellationToken)
    {
        if (prepared is string note)
        {
            Count(answers, note);
        }

        switch (attack)
        {
            case "lock":
                await LockAsync(attacker, answers, stop, cancellationToken);
                break;
            case "trigger-flood":
                await FloodAsync(answers, stop, async i =>
                {
                    // Every other call a bulk call: one of a whole second's worth of events, or one of 100 (over the
                    // rate: each event counts against it, so that call is refused whole).
                    var size = i % 4 == 1 ? settings.AttackerTriggersPerSecond : 100;
                    var events = Enumerable.Range(0, i % 2 == 0 ? 1 : size)
                        .Select(e => new { workflowId = "default-sms", to = $"a-{i}-{e}", payload = new { body = "flood" } }).ToArray();
                    return i % 2 == 0
                        ? await attacker.Client.PostAsJsonAsync("/api/trigger", events[0], CancellationToken.None)
                        : await attacker.Client.PostAsJsonAsync("/api/trigger/bulk", new { events }, CancellationToken.None);
                });
                break;
            case "events-flood":
                await FloodAsync(answers, stop, i => attacker.Client.PostAsJsonAsync(
                    "/api/events", new { name = "noisy-no-rule-listens", payload = new { i } }, CancellationToken.None));
                break;
            case "idempotency-pairs":
                await FloodAsync(answers, stop, async i =>
                {
                    // A pair at once under one key: the same body (one stored, one replayed), or two bodies (one 422).
                    var key = $"pair-{i}";
                    var first = KeyedTrigger(attacker, key, "same", i);
                    var second = KeyedTrigger(attacker, key, i % 2 == 0 ? "same" : "other", i);
                    var both = await Task.WhenAll(first, second);
                    both[1].Dispose();
                    return both[0];
                });
                break;
            case "render-budget":
                await Task.WhenAll(
                    // Saves, each previewed at the budget by the API.
                    FloodAsync(answers, stop, _ => attacker.Client.PutAsJsonAsync($"/api/templates/{HeavyKey}", HeavyTemplate(), CancellationToken.None), concurrency: 4, prefix: "save "),
                    // Triggers, each rendered at the budget by a dispatcher.
                    FloodAsync(answers, stop, i => attacker.Client.PostAsJsonAsync(
                        "/api/trigger", new { workflowId = HeavyKey, to = $"heavy-{i}", payload = new { n = 10000 } }, CancellationToken.None), concurrency: 4, prefix: "trigger "));
                break;
            case "erase":
                var erased = await attacker.Client.PostAsync($"/api/subscribers/{LongHistorySubscriber}/erase", null, CancellationToken.None);
                Count(answers, "erase " + Describe(erased));
                break;
        }
    }

    private static Task<HttpResponseMessage> KeyedTrigger(Enterprise attacker, string key, string body, int i)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/trigger")
        {
            Content = JsonContent.Create(new { workflowId = "default-sms", to = $"pair-{i}", payload = new { body } }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return attacker.Client.SendAsync(request, CancellationToken.None);
    }

    /// <summary>The attacker's callers, each sending its next call as soon as the last one answered, until the stop.</summary>
    private async Task FloodAsync(
        ConcurrentDictionary<string, int> answers, CancellationToken stop, Func<int, Task<HttpResponseMessage>> call, int? concurrency = null, string prefix = "")
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency ?? settings.AttackerConcurrency).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await call(Interlocked.Increment(ref next));
                    Count(answers, prefix + Describe(response));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Count(answers, prefix + "no answer");
                }
            }
        }));
    }

    /// <summary>
    /// Holds a row lock on the attacker's subscriber for the whole attack, as a slow erase, a bulk upsert or an
    /// operator's open transaction would, while two of the attacker's callers trigger to that subscriber.
    /// </summary>
    private async Task LockAsync(Enterprise attacker, ConcurrentDictionary<string, int> answers, CancellationToken stop, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(target.OwnerConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockRow = new NpgsqlCommand(
            "SELECT 1 FROM notify.subscriber WHERE enterprise_id = @e AND subscriber_id = @s FOR UPDATE", connection, transaction))
        {
            lockRow.Parameters.AddWithValue("e", attacker.Id);
            lockRow.Parameters.AddWithValue("s", HotSubscriber);
            if (await lockRow.ExecuteScalarAsync(cancellationToken) is null)
            {
                throw new InvalidOperationException("The hot subscriber was not found to lock.");
            }
        }

        // The callers' calls wait on the lock; each is awaited to its answer after the lock goes.
        var callers = Enumerable.Range(0, 2).Select(async c =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                // A subscriber object: the trigger upserts the directory row, which is the row locked.
                var to = new { subscriberId = HotSubscriber, email = "hot@example.com", phone = "+15550100" };
                try
                {
                    using var response = await attacker.Client.PostAsJsonAsync(
                        "/api/trigger", new { workflowId = "default-sms", to, payload = new { body = $"hot {c}-{i}" } }, CancellationToken.None);
                    Count(answers, Describe(response));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Count(answers, "no answer");
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }).ToList();

        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // the attack's time is up
        }

        await transaction.RollbackAsync(cancellationToken);
        await Task.WhenAll(callers);
    }

    /// <summary>
    /// A long history for one subscriber, written as another system would: <see cref="NoisySettings.EraseHistory"/>
    /// notifications already sent, each with its delivery.
    /// </summary>
    private async Task WriteHistoryAsync(Guid enterpriseId, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(target.OwnerConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO notify.subscriber (enterprise_id, subscriber_id, email) VALUES (@e, @s, 'long@example.com');
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients, transaction_id, scheduled_for)
            SELECT @e, 'default-email', jsonb_build_object('n', g),
                   jsonb_build_array(jsonb_build_object('subscriberId', @s, 'email', 'long@example.com')),
                   'history-' || g, now() + interval '1 year'
            FROM generate_series(1, @n) AS g;
            UPDATE notify.ent_notification_delivery SET status = 'SENT' WHERE enterprise_id = @e;
            UPDATE notify.ent_notification SET notification_status = 'SENT' WHERE enterprise_id = @e;
            """,
            connection,
            transaction))
        {
            insert.CommandTimeout = 300;
            insert.Parameters.AddWithValue("e", enterpriseId);
            insert.Parameters.AddWithValue("s", LongHistorySubscriber);
            insert.Parameters.AddWithValue("n", settings.EraseHistory);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        await using var analyze = new NpgsqlCommand("ANALYZE notify.ent_notification; ANALYZE notify.ent_notification_delivery", connection);
        await analyze.ExecuteNonQueryAsync(cancellationToken);
    }
}
