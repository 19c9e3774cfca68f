using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using XNovu.Client;
using XNovu.Client.Api;
using XNovu.Client.Api.Models;
using XNovu.Console.Session;

namespace XNovu.Console.Api;

/// <summary>
/// <see cref="IConsoleApi"/> over <see cref="XNovuApiClient"/> (XNovu.Client): its generated request builders name
/// every route, and its pipeline brings service discovery, Retry-After-aware retries and one problem exception.
/// Each call carries the signed-in user's key in its own Authorization header, so the console holds no authority of
/// its own (the client's configured key is a placeholder that its key handler never sends over one set here).
/// </summary>
/// <remarks>
/// Bodies are the console's own records, written and read with System.Text.Json in the API's web casing: the pages
/// edit free JSON as <see cref="JsonNode"/> text, and mapping every record onto Kiota models and
/// <c>UntypedNode</c>s and back would add a copy of each shape without checking anything the API does not.
/// </remarks>
public sealed partial class ClientConsoleApi : IConsoleApi
{
    private readonly IRequestAdapter adapter;
    private readonly XNovuApiClient client;
    private readonly CurrentUser currentUser;
    private readonly IHttpClientFactory clients;

    /// <summary>
    /// Builds the client as <c>AddXNovuClient</c> does, over its named HttpClient and so its whole pipeline, but keeps
    /// the adapter: the builders make each request and the adapter sends it with the console's own body and key.
    /// </summary>
    public ClientConsoleApi(IHttpClientFactory clients, IOptions<XNovuClientOptions> options, CurrentUser currentUser)
    {
        this.clients = clients;
        this.currentUser = currentUser;
        adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: clients.CreateClient(XNovuClientServiceCollectionExtensions.HttpClientName))
        {
            BaseUrl = options.Value.BaseAddress.ToString().TrimEnd('/'),
        };
        client = new XNovuApiClient(adapter);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<bool> IsAdminKeyAsync(string key, CancellationToken cancellationToken = default) =>
        AcceptsAsync(client.Api.Admin.Enterprises.ToGetRequestInformation(), key, cancellationToken);

    public Task<bool> IsEnterpriseKeyAsync(string key, CancellationToken cancellationToken = default) =>
        AcceptsAsync(client.Api.Workflows.Stats.ToGetRequestInformation(), key, cancellationToken);

    public async Task<IReadOnlyList<EnterpriseItem>> ListEnterprisesAsync(CancellationToken cancellationToken = default) =>
        await AdminAsync<List<EnterpriseItem>>(client.Api.Admin.Enterprises.ToGetRequestInformation(), null, cancellationToken);

    public Task<CreatedApiKey> CreateApiKeyAsync(Guid enterpriseId, string name, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
        AdminAsync<CreatedApiKey>(client.Api.Admin.Enterprises[enterpriseId].ApiKeys.ToPostRequestInformation(new CreateApiKeyRequest()), new { name, expiresAt }, cancellationToken);

    public Task RevokeApiKeyAsync(Guid enterpriseId, Guid keyId, CancellationToken cancellationToken = default) =>
        AdminAsync<JsonNode?>(client.Api.Admin.Enterprises[enterpriseId].ApiKeys[keyId].ToDeleteRequestInformation(), null, cancellationToken);

    public async Task<IReadOnlyList<TemplateItem>> ListTemplatesAsync(string? channel, CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<TemplateItem>>(
            client.Api.Templates.ToGetRequestInformation(c => c.QueryParameters.Channel = string.IsNullOrWhiteSpace(channel) ? null : channel), null, cancellationToken);

    public Task<TemplateItem> GetTemplateAsync(string templateKey, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<TemplateItem>(client.Api.Templates[templateKey].ToGetRequestInformation(), null, cancellationToken);

    public Task<TemplateItem> SaveTemplateAsync(TemplateInput template, bool isNew, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<TemplateItem>(
            isNew
                ? client.Api.Templates.ToPostRequestInformation(new TemplateRequest())
                : client.Api.Templates[template.TemplateKey].ToPutRequestInformation(new TemplateRequest()),
            template,
            cancellationToken);

    public Task<TemplateItem> SetTemplatePublishedAsync(string templateKey, bool published, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<TemplateItem>(
            published ? client.Api.Templates[templateKey].Publish.ToPostRequestInformation() : client.Api.Templates[templateKey].Unpublish.ToPostRequestInformation(),
            null,
            cancellationToken);

    public Task<PreviewResult> PreviewAsync(PreviewInput input, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<PreviewResult>(client.Api.Templates.Preview.ToPostRequestInformation(new PreviewRequest()), input, cancellationToken);

    public async Task<IReadOnlyList<WorkflowItem>> ListWorkflowsAsync(CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<WorkflowItem>>(client.Api.Workflows.ToGetRequestInformation(), null, cancellationToken);

    public Task<WorkflowItem> GetWorkflowAsync(string workflowKey, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WorkflowItem>(client.Api.Workflows[workflowKey].ToGetRequestInformation(), null, cancellationToken);

    public Task<WorkflowItem> SaveWorkflowAsync(WorkflowInput workflow, bool isNew, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WorkflowItem>(
            isNew
                ? client.Api.Workflows.ToPostRequestInformation(new WorkflowRequest())
                : client.Api.Workflows[workflow.WorkflowKey].ToPutRequestInformation(new WorkflowRequest()),
            workflow,
            cancellationToken);

    public Task<WorkflowItem> SetWorkflowPublishedAsync(string workflowKey, bool published, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WorkflowItem>(
            published ? client.Api.Workflows[workflowKey].Publish.ToPostRequestInformation() : client.Api.Workflows[workflowKey].Unpublish.ToPostRequestInformation(),
            null,
            cancellationToken);

    public Task<WorkflowStats> WorkflowStatsAsync(CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WorkflowStats>(client.Api.Workflows.Stats.ToGetRequestInformation(), null, cancellationToken);

    public async Task<IReadOnlyList<RuleItem>> ListRulesAsync(CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<RuleItem>>(client.Api.Rules.ToGetRequestInformation(), null, cancellationToken);

    public Task<RuleItem> GetRuleAsync(long id, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<RuleItem>(client.Api.Rules[id].ToGetRequestInformation(), null, cancellationToken);

    public Task<RuleItem> SaveRuleAsync(long? id, RuleInput rule, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<RuleItem>(
            id is { } existing
                ? client.Api.Rules[existing].ToPutRequestInformation(new RuleRequest())
                : client.Api.Rules.ToPostRequestInformation(new RuleRequest()),
            rule,
            cancellationToken);

    public Task<RuleItem> SetRuleEnabledAsync(long id, bool enabled, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<RuleItem>(
            enabled ? client.Api.Rules[id].Publish.ToPostRequestInformation() : client.Api.Rules[id].Unpublish.ToPostRequestInformation(),
            null,
            cancellationToken);

    public Task<NotificationPage> ListNotificationsAsync(NotificationFilter filter, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<NotificationPage>(
            client.Api.Notifications.ToGetRequestInformation(c =>
            {
                c.QueryParameters.Status = string.IsNullOrWhiteSpace(filter.Status) ? null : filter.Status;
                c.QueryParameters.WorkflowId = string.IsNullOrWhiteSpace(filter.WorkflowId) ? null : filter.WorkflowId;
                c.QueryParameters.From = filter.From;
                c.QueryParameters.To = filter.To;
                c.QueryParameters.Limit = filter.Limit;
            }),
            null,
            cancellationToken);

    public Task<NotificationDetail> GetNotificationAsync(long id, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<NotificationDetail>(client.Api.Notifications[id].ToGetRequestInformation(), null, cancellationToken);

    public Task RetryNotificationAsync(long id, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<JsonNode?>(client.Api.Notifications[id].Retry.ToPostRequestInformation(), null, cancellationToken);

    public Task CancelNotificationAsync(long id, string? reason, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<JsonNode?>(client.Api.Notifications[id].Cancel.ToPostRequestInformation(new CancelRequest()), new { reason }, cancellationToken);

    /// <summary>
    /// The one call not made through the client: the API answers an unhealthy system with 503 and the report as
    /// its body, which the client would retry and then turn into a problem. The report is what the page shows.
    /// </summary>
    public async Task<HealthReport> HealthAsync(CancellationToken cancellationToken = default)
    {
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(ApiReachableCheck.ClientName).GetAsync("api/health", cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            throw ApiProblemException.Unreachable(ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                try
                {
                    var report = await response.Content.ReadFromJsonAsync<HealthReport>(Json, cancellationToken);
                    if (report is not null)
                    {
                        return report;
                    }
                }
                catch (JsonException)
                {
                    // Not a report (a proxy's error page): shown as the problem it is, below.
                }
            }

            throw await ApiProblemException.ReadAsync(response, cancellationToken);
        }
    }

    public async Task<OperationsMetrics> MetricsAsync(CancellationToken cancellationToken = default)
    {
        // Metrics are the admin's; an enterprise user's key is sent so the API, not the console, says no.
        var user = await currentUser.GetAsync();
        var claim = user.HasClaim(c => c.Type == ConsoleClaims.AdminKey) ? ConsoleClaims.AdminKey : ConsoleClaims.EnterpriseKey;
        return await SendAsync<OperationsMetrics>(client.Api.Metrics.ToGetRequestInformation(), null, claim, cancellationToken);
    }

    public Task<RuleEngineStatus> RuleEngineStatusAsync(CancellationToken cancellationToken = default) =>
        EnterpriseAsync<RuleEngineStatus>(client.Api.RuleEngine.Status.ToGetRequestInformation(), null, cancellationToken);

    public async Task<OperatorOutcome> RunOperatorActionAsync(string action, CancellationToken cancellationToken = default)
    {
        var operations = client.Api.Admin.Operations;
        var request = action switch
        {
            "retry-failed" => operations.RetryFailed.ToPostRequestInformation(new RetryFailedAllRequest()),
            "clear-template-cache" => operations.ClearTemplateCache.ToPostRequestInformation(),
            "reload-rules" => operations.ReloadRules.ToPostRequestInformation(),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "not an operator action"),
        };
        var answer = await AdminAsync<JsonNode?>(request, action == "retry-failed" ? new { } : null, cancellationToken);
        return new OperatorOutcome(action, answer?.ToJsonString() ?? "done");
    }

    public async Task<IReadOnlyList<WorkflowVersionItem>> ListWorkflowVersionsAsync(string workflowKey, CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<WorkflowVersionItem>>(client.Api.Workflows[workflowKey].Versions.ToGetRequestInformation(), null, cancellationToken);

    public Task<VersionDiff> DiffWorkflowVersionsAsync(string workflowKey, int from, int to, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<VersionDiff>(
            client.Api.Workflows[workflowKey].Versions.Diff.ToGetRequestInformation(c => (c.QueryParameters.From, c.QueryParameters.To) = (from, to)), null, cancellationToken);

    public Task<WorkflowItem> RollbackWorkflowAsync(string workflowKey, int version, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WorkflowItem>(client.Api.Workflows[workflowKey].Versions[version].Rollback.ToPostRequestInformation(), null, cancellationToken);

    public Task<AuditPage> ListAuditAsync(string? entityType, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<AuditPage>(
            client.Api.Audit.ToGetRequestInformation(c => c.QueryParameters.EntityType = string.IsNullOrWhiteSpace(entityType) ? null : entityType), null, cancellationToken);

    private Task<T> AdminAsync<T>(RequestInformation request, object? body, CancellationToken cancellationToken) =>
        SendAsync<T>(request, body, ConsoleClaims.AdminKey, cancellationToken);

    private Task<T> EnterpriseAsync<T>(RequestInformation request, object? body, CancellationToken cancellationToken) =>
        SendAsync<T>(request, body, ConsoleClaims.EnterpriseKey, cancellationToken);

    private async Task<T> SendAsync<T>(RequestInformation request, object? body, string keyClaim, CancellationToken cancellationToken)
    {
        var user = await currentUser.GetAsync();
        var key = user.FindFirst(keyClaim)?.Value
            ?? throw new ApiProblemException(401, "Not signed in", keyClaim == ConsoleClaims.AdminKey ? "This needs the admin key." : "Pick an enterprise first.", new Dictionary<string, string[]>());
        Authorize(request, key);
        if (body is not null)
        {
            // The builder was given an empty model only to name the route; the console's record is the body sent.
            request.SetStreamContent(new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json)), "application/json");
        }

        using var answer = await SendRawAsync(request, cancellationToken);
        return answer.Length == 0 ? default! : JsonSerializer.Deserialize<T>(answer.GetBuffer().AsSpan(0, (int)answer.Length), Json)!;
    }

    private async Task<bool> AcceptsAsync(RequestInformation request, string key, CancellationToken cancellationToken)
    {
        Authorize(request, key);
        try
        {
            using var _ = await SendRawAsync(request, cancellationToken);
            return true;
        }
        catch (ApiProblemException problem) when (problem.Status is (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden)
        {
            return false;
        }
    }

    private static void Authorize(RequestInformation request, string key)
    {
        request.Headers.Remove("Authorization");
        request.Headers.Add("Authorization", "Bearer " + key);
    }

    /// <summary>The answer's body (empty for 204); every failure as the console's <see cref="ApiProblemException"/>.</summary>
    private async Task<MemoryStream> SendRawAsync(RequestInformation request, CancellationToken cancellationToken)
    {
        try
        {
            var copy = new MemoryStream();
            await using var stream = await adapter.SendPrimitiveAsync<Stream>(request, cancellationToken: cancellationToken);
            if (stream is not null)
            {
                await stream.CopyToAsync(copy, cancellationToken);
            }

            return copy;
        }
        catch (XNovuProblemException problem)
        {
            throw new ApiProblemException(problem.Status, problem.Title, problem.Detail, problem.Errors, problem.RetryAfter);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            throw ApiProblemException.Unreachable(ex);
        }
    }
}
