using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace XNovu.Tests.Infrastructure;

/// <summary>Builders and checks shared by the management API tests. The app is shared, so every key is unique.</summary>
internal static class ManagementApi
{
    public const string ValidationType = "https://xnovu.dev/problems/validation";
    public const string ConflictType = "https://xnovu.dev/problems/conflict";
    public const string NotFoundType = "https://xnovu.dev/problems/not-found";
    public const string MalformedType = "https://xnovu.dev/problems/malformed-request";

    public static readonly string[] Channels = ["IN_APP", "EMAIL", "SMS", "CHAT", "PUSH"];

    public static readonly string[] StaticWorkflowKeys =
        ["default-email", "default-in-app", "default-sms", "default-push", "default-chat", "default-multi-channel"];

    public static string Key(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static object Template(
        string key, string channel = "EMAIL", string body = "Hello {{ payload.name }}", string? subject = "Hi {{ payload.name }}",
        string? categoryCode = null, string name = "A template") => new
    {
        templateKey = key,
        name,
        description = "made by a test",
        channelType = channel,
        subjectTemplate = subject,
        bodyTemplate = body,
        variablesDescription = new { name = "the recipient's name" },
        categoryCode,
    };

    public static object Workflow(
        string key, string[]? channels = null, Dictionary<string, string>? overrides = null, object? payloadSchema = null,
        string? categoryCode = null, string name = "A workflow") => new
    {
        workflowKey = key,
        name,
        description = "made by a test",
        defaultChannels = channels ?? [],
        payloadSchema = payloadSchema ?? new { type = "object", properties = new { name = new { type = "string" } } },
        templateOverrides = overrides ?? [],
        categoryCode,
    };

    public static object CronRule(string workflowKey, string cron = "*/5 * * * *", string? timezone = "Europe/Paris", string name = "A rule") => new
    {
        name,
        description = "made by a test",
        workflowKey,
        triggerType = "CRON",
        triggerConfig = new { cron, timezone },
        rulePayload = new { recipients = new[] { "subscriber-1" }, payload = new { name = "Ada" }, overrides = new { } },
    };

    public static async Task<JsonObject> CreateAsync(this HttpClient client, string url, object body)
    {
        var answer = await client.PostAsJsonAsync(url, body);
        Assert.True(answer.StatusCode == HttpStatusCode.Created, $"POST {url}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        return (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static async Task<JsonObject> OkAsync(this HttpClient client, HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        var answer = await client.SendAsync(request);
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{method} {url}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        return (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static async Task<JsonArray> ListAsync(this HttpClient client, string url)
    {
        var answer = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return (await answer.Content.ReadFromJsonAsync<JsonArray>())!;
    }

    /// <summary>A published template of <paramref name="channel"/>, ready to serve a workflow.</summary>
    public static async Task<string> PublishedTemplateAsync(this HttpClient client, string channel)
    {
        var key = Key($"tpl-{channel.ToLowerInvariant()}");
        await client.CreateAsync("/api/templates", Template(key, channel));
        await client.OkAsync(HttpMethod.Post, $"/api/templates/{key}/publish");
        return key;
    }

    /// <summary>A draft workflow over one EMAIL template, published or not.</summary>
    public static async Task<string> WorkflowAsync(this HttpClient client, bool publish = false)
    {
        var template = await client.PublishedTemplateAsync("EMAIL");
        var key = Key("wf");
        await client.CreateAsync("/api/workflows", Workflow(key, ["EMAIL"], new() { ["EMAIL"] = template }));
        if (publish)
        {
            await client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        }

        return key;
    }

    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string url, object? body = null) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) });

    public static Task<HttpResponseMessage> SendRawAsync(this HttpClient client, HttpMethod method, string url, string json) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    /// <summary>Asserts the status and problem type, and answers the problem's field errors (empty when none).</summary>
    public static async Task<JsonObject> AssertProblemAsync(this HttpResponseMessage answer, HttpStatusCode status, string type)
    {
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == status, $"expected {(int)status}, got {(int)answer.StatusCode}: {text}");
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(type, (string?)problem["type"]);
        return problem["errors"]?.AsObject() ?? new JsonObject();
    }

    /// <summary>The message of one field error, failing the test if the field has none.</summary>
    public static string FieldError(this JsonObject errors, string field)
    {
        Assert.True(errors.ContainsKey(field), $"no error for '{field}' in {errors.ToJsonString()}");
        return string.Join(" ", errors[field]!.AsArray().Select(m => (string)m!));
    }

    public static IEnumerable<string> Strings(this JsonArray array, string property) =>
        array.Select(item => (string)item![property]!);
}
