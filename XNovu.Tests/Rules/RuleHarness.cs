using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Rules;

/// <summary>A notification made by a rule, as the owner reads it.</summary>
public sealed record RuleNotification(long Id, string TransactionId, string Status, string Payload, DateTime? TickAt);

/// <summary>Rules through the management API, and what they produced, read as the database owner.</summary>
internal sealed class RuleHarness(XNovuAppFixture fixture)
{
    public static string Instant(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Creates a rule over <paramref name="workflowKey"/> and publishes it; answers its id.</summary>
    public static async Task<long> PublishedRuleAsync(HttpClient client, string workflowKey, string triggerType, object triggerConfig, object? rulePayload = null)
    {
        var created = await client.CreateAsync("/api/rules", new
        {
            name = $"{triggerType} rule",
            workflowKey,
            triggerType,
            triggerConfig,
            rulePayload = rulePayload ?? new { recipients = new[] { "rule-sub" }, payload = new { name = "Ada" } },
        });
        var id = (long)created["id"]!;
        await client.OkAsync(HttpMethod.Post, $"/api/rules/{id}/publish");
        return id;
    }

    public static async Task<JsonObject> StatusAsync(HttpClient client)
    {
        var answer = await client.GetAsync("/api/rule-engine/status");
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"status: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        return (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Every notification of the rule, oldest tick first, with the tick that made it (if a timed rule did).</summary>
    public async Task<IReadOnlyList<RuleNotification>> NotificationsAsync(long ruleId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT n.id, n.transaction_id, n.notification_status::text, n.payload::text, t.tick_at
            FROM notify.ent_notification n
            LEFT JOIN notify.rule_tick t ON t.notification_id = n.id
            WHERE n.notification_rule_id = @rule
            ORDER BY t.tick_at, n.id
            """,
            connection);
        command.Parameters.AddWithValue("rule", ruleId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<RuleNotification>();
        while (await reader.ReadAsync())
        {
            rows.Add(new RuleNotification(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetDateTime(4)));
        }

        return rows;
    }

    public async Task<int> TickCountAsync(long ruleId)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT count(*)::int FROM notify.rule_tick WHERE rule_id = @rule", connection);
        command.Parameters.AddWithValue("rule", ruleId);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    public async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}
