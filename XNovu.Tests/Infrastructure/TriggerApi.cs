using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Infrastructure;

/// <summary>Builders and checks shared by the trigger and notification tests.</summary>
internal static class TriggerApi
{
    /// <summary>A static workflow every enterprise may trigger; its payload needs a <c>body</c>.</summary>
    public const string StaticWorkflow = "default-email";

    public const string ForbiddenType = "https://xnovu.dev/problems/forbidden";
    public const string PayloadTooLargeType = "https://xnovu.dev/problems/payload-too-large";
    public const string RateLimitedType = "https://xnovu.dev/problems/rate-limited";

    public static string Subscriber() => $"sub-{Guid.NewGuid():N}";

    /// <summary>A trigger body; <paramref name="extra"/> adds or replaces fields.</summary>
    public static JsonObject Trigger(
        string workflowId = StaticWorkflow, object? to = null, object? payload = null, Dictionary<string, object?>? extra = null)
    {
        var body = new JsonObject
        {
            ["workflowId"] = workflowId,
            ["to"] = JsonSerializer.SerializeToNode(to ?? Subscriber()),
            ["payload"] = JsonSerializer.SerializeToNode(payload ?? new { subject = "Hi", body = "Hello" }),
        };
        foreach (var (name, value) in extra ?? [])
        {
            body[name] = JsonSerializer.SerializeToNode(value);
        }

        return body;
    }

    /// <summary>A trigger due in an hour: the dispatcher leaves it PENDING while a test looks at it.</summary>
    public static JsonObject Later(string workflowId = StaticWorkflow, object? to = null, object? payload = null) =>
        Trigger(workflowId, to, payload, new() { ["scheduledFor"] = DateTimeOffset.UtcNow.AddHours(1) });

    public static Task<HttpResponseMessage> PostTriggerAsync(this HttpClient client, JsonNode body, string? idempotencyKey = null) =>
        client.PostJsonAsync("/api/trigger", body.ToJsonString(), idempotencyKey);

    public static async Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string json, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Triggers and asserts 202, answering the body.</summary>
    public static async Task<JsonObject> AcceptedAsync(this HttpClient client, JsonNode body, string? idempotencyKey = null)
    {
        var answer = await client.PostTriggerAsync(body, idempotencyKey);
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.Accepted, $"POST /api/trigger: {(int)answer.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> NotificationAsync(this HttpClient client, long id)
    {
        var answer = await client.GetAsync($"/api/notifications/{id}");
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"GET /api/notifications/{id}: {(int)answer.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonArray> NotificationItemsAsync(this HttpClient client, string query = "")
    {
        var answer = await client.GetAsync($"/api/notifications{query}");
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"GET /api/notifications{query}: {(int)answer.StatusCode} {text}");
        return JsonNode.Parse(text)!["items"]!.AsArray();
    }

    public static long Id(this JsonObject accepted) => (long)accepted["notificationId"]!;

    /// <summary>
    /// Sets a notification and all its deliveries to a status through the owner's connection, as the
    /// dispatcher would have; a FAILED one gets the error details the dispatcher writes.
    /// </summary>
    public static async Task ForceStatusAsync(this XNovuAppFixture fixture, long notificationId, string status, string? deliveryStatus = null)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        await connection.ExecuteAsync(
            """
            UPDATE notify.ent_notification_delivery
            SET status = @deliveryStatus::notify.notification_status,
                attempts = CASE WHEN @deliveryStatus = 'FAILED' THEN 5 ELSE attempts END,
                last_error = CASE WHEN @deliveryStatus = 'FAILED' THEN '{"message": "forced by a test"}'::jsonb END,
                sent_at = CASE WHEN @deliveryStatus = 'SENT' THEN now() END
            WHERE notification_id = @notificationId;
            UPDATE notify.ent_notification
            SET notification_status = @status::notify.notification_status,
                error_details = CASE WHEN @status = 'FAILED' THEN '{"message": "forced by a test", "attempts": 5}'::jsonb END,
                processed_at = CASE WHEN @status IN ('SENT', 'FAILED') THEN now() END
            WHERE id = @notificationId;
            """,
            new { notificationId, status, deliveryStatus = deliveryStatus ?? status });
    }

    public static async Task<long> CountNotificationsAsync(this XNovuAppFixture fixture, Guid enterpriseId)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notify.ent_notification WHERE enterprise_id = @enterpriseId", new { enterpriseId });
    }
}
