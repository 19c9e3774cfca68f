using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using XNovu.Console.Session;

namespace XNovu.Console.Api;

/// <summary>
/// <see cref="IConsoleApi"/> over HTTP to the <c>api</c> resource (found by service discovery). Each call carries
/// the key of the signed-in user, read from the session's claims, so the console holds no authority of its own.
/// </summary>
public sealed class HttpConsoleApi(HttpClient http, CurrentUser currentUser) : IConsoleApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<bool> IsAdminKeyAsync(string key, CancellationToken cancellationToken = default) =>
        AcceptsAsync("api/admin/enterprises", key, cancellationToken);

    public Task<bool> IsEnterpriseKeyAsync(string key, CancellationToken cancellationToken = default) =>
        AcceptsAsync("api/workflows/stats", key, cancellationToken);

    public async Task<IReadOnlyList<EnterpriseItem>> ListEnterprisesAsync(CancellationToken cancellationToken = default) =>
        await SendAsync<List<EnterpriseItem>>(HttpMethod.Get, "api/admin/enterprises", null, ConsoleClaims.AdminKey, cancellationToken);

    public Task<CreatedApiKey> CreateApiKeyAsync(Guid enterpriseId, string name, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedApiKey>(HttpMethod.Post, $"api/admin/enterprises/{enterpriseId}/api-keys", new { name }, ConsoleClaims.AdminKey, cancellationToken);

    public Task RevokeApiKeyAsync(Guid enterpriseId, Guid keyId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonNode?>(HttpMethod.Delete, $"api/admin/enterprises/{enterpriseId}/api-keys/{keyId}", null, ConsoleClaims.AdminKey, cancellationToken);

    public async Task<IReadOnlyList<TemplateItem>> ListTemplatesAsync(string? channel, CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<TemplateItem>>(HttpMethod.Get, "api/templates" + Query(("channel", channel)), null, cancellationToken);

    public Task<TemplateItem> GetTemplateAsync(string templateKey, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<TemplateItem>(HttpMethod.Get, $"api/templates/{Uri.EscapeDataString(templateKey)}", null, cancellationToken);

    public Task<TemplateItem> SaveTemplateAsync(TemplateInput template, bool isNew, CancellationToken cancellationToken = default) =>
        isNew
            ? EnterpriseAsync<TemplateItem>(HttpMethod.Post, "api/templates", template, cancellationToken)
            : EnterpriseAsync<TemplateItem>(HttpMethod.Put, $"api/templates/{Uri.EscapeDataString(template.TemplateKey)}", template, cancellationToken);

    public Task<TemplateItem> SetTemplatePublishedAsync(string templateKey, bool published, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<TemplateItem>(HttpMethod.Post, $"api/templates/{Uri.EscapeDataString(templateKey)}/{(published ? "publish" : "unpublish")}", null, cancellationToken);

    public Task<PreviewResult> PreviewAsync(PreviewInput input, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<PreviewResult>(HttpMethod.Post, "api/templates/preview", input, cancellationToken);

    public async Task<IReadOnlyList<WorkflowItem>> ListWorkflowsAsync(CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<WorkflowItem>>(HttpMethod.Get, "api/workflows", null, cancellationToken);

    public Task<WorkflowItem> GetWorkflowAsync(string workflowKey, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WorkflowItem>(HttpMethod.Get, $"api/workflows/{Uri.EscapeDataString(workflowKey)}", null, cancellationToken);

    public Task<WorkflowItem> SaveWorkflowAsync(WorkflowInput workflow, bool isNew, CancellationToken cancellationToken = default) =>
        isNew
            ? EnterpriseAsync<WorkflowItem>(HttpMethod.Post, "api/workflows", workflow, cancellationToken)
            : EnterpriseAsync<WorkflowItem>(HttpMethod.Put, $"api/workflows/{Uri.EscapeDataString(workflow.WorkflowKey)}", workflow, cancellationToken);

    public Task<WorkflowItem> SetWorkflowPublishedAsync(string workflowKey, bool published, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WorkflowItem>(HttpMethod.Post, $"api/workflows/{Uri.EscapeDataString(workflowKey)}/{(published ? "publish" : "unpublish")}", null, cancellationToken);

    public Task<WorkflowStats> WorkflowStatsAsync(CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WorkflowStats>(HttpMethod.Get, "api/workflows/stats", null, cancellationToken);

    public async Task<IReadOnlyList<RuleItem>> ListRulesAsync(CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<RuleItem>>(HttpMethod.Get, "api/rules", null, cancellationToken);

    public Task<RuleItem> GetRuleAsync(long id, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<RuleItem>(HttpMethod.Get, $"api/rules/{id}", null, cancellationToken);

    public Task<RuleItem> SaveRuleAsync(long? id, RuleInput rule, CancellationToken cancellationToken = default) =>
        id is null
            ? EnterpriseAsync<RuleItem>(HttpMethod.Post, "api/rules", rule, cancellationToken)
            : EnterpriseAsync<RuleItem>(HttpMethod.Put, $"api/rules/{id}", rule, cancellationToken);

    public Task<RuleItem> SetRuleEnabledAsync(long id, bool enabled, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<RuleItem>(HttpMethod.Post, $"api/rules/{id}/{(enabled ? "publish" : "unpublish")}", null, cancellationToken);

    public Task<NotificationPage> ListNotificationsAsync(NotificationFilter filter, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<NotificationPage>(HttpMethod.Get, "api/notifications" + Query(
            ("status", filter.Status),
            ("workflowId", filter.WorkflowId),
            ("from", filter.From?.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
            ("to", filter.To?.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
            ("limit", filter.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture))), null, cancellationToken);

    public Task<NotificationDetail> GetNotificationAsync(long id, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<NotificationDetail>(HttpMethod.Get, $"api/notifications/{id}", null, cancellationToken);

    public Task RetryNotificationAsync(long id, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<JsonNode?>(HttpMethod.Post, $"api/notifications/{id}/retry", null, cancellationToken);

    public Task CancelNotificationAsync(long id, string? reason, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<JsonNode?>(HttpMethod.Post, $"api/notifications/{id}/cancel", new { reason }, cancellationToken);

    public async Task<HealthReport> HealthAsync(CancellationToken cancellationToken = default)
    {
        // 503 is the API's answer for an unhealthy system, and its body is still the report to show.
        using var response = await TransportAsync(new HttpRequestMessage(HttpMethod.Get, "api/health"), cancellationToken);
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            var report = await TryReadAsync<HealthReport>(response, cancellationToken);
            if (report is not null)
            {
                return report;
            }
        }

        throw await ApiProblemException.ReadAsync(response, cancellationToken);
    }

    public Task<OperationsMetrics> MetricsAsync(CancellationToken cancellationToken = default) =>
        // /api/metrics spans every enterprise, so it takes the admin key.
        SendAsync<OperationsMetrics>(HttpMethod.Get, "api/metrics", null, keyClaim: ConsoleClaims.AdminKey, cancellationToken);

    public Task<RuleEngineStatus> RuleEngineStatusAsync(CancellationToken cancellationToken = default) =>
        EnterpriseAsync<RuleEngineStatus>(HttpMethod.Get, "api/rule-engine/status", null, cancellationToken);

    public async Task<OperatorOutcome> RunOperatorActionAsync(string action, CancellationToken cancellationToken = default)
    {
        if (action is not ("retry-failed" or "clear-template-cache" or "reload-rules"))
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "not an operator action");
        }

        var answer = await SendAsync<JsonNode?>(HttpMethod.Post, $"api/admin/operations/{action}", null, ConsoleClaims.AdminKey, cancellationToken);
        return new OperatorOutcome(action, answer?.ToJsonString() ?? "done");
    }

    private Task<T> EnterpriseAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        SendAsync<T>(method, path, body, ConsoleClaims.EnterpriseKey, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, string? keyClaim, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (keyClaim is not null)
        {
            var user = await currentUser.GetAsync();
            var key = user.FindFirst(keyClaim)?.Value
                ?? throw new ApiProblemException(401, "Not signed in", keyClaim == ConsoleClaims.AdminKey ? "This needs the admin key." : "Pick an enterprise first.", new Dictionary<string, string[]>());
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        using var response = await TransportAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ApiProblemException.ReadAsync(response, cancellationToken);
        }

        if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0)
        {
            return default!;
        }

        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
    }

    private async Task<bool> AcceptsAsync(string path, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await TransportAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return false;
        }

        return response.IsSuccessStatusCode ? true : throw await ApiProblemException.ReadAsync(response, cancellationToken);
    }

    private async Task<HttpResponseMessage> TransportAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            throw ApiProblemException.Unreachable(ex);
        }
    }

    private static async Task<T?> TryReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => !string.IsNullOrWhiteSpace(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return present.Count == 0 ? string.Empty : "?" + string.Join('&', present);
    }
}
