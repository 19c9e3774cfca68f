using System.Text.Json.Nodes;
using XNovu.Client.Api.Models;

namespace XNovu.Console.Api;

/// <summary>The enterprise's outbound webhooks (issue 28): endpoints, their messages and attempts, replays.</summary>
public sealed partial class ClientConsoleApi
{
    private const int WebhookListLimit = 100;

    public async Task<IReadOnlyList<WebhookEndpointItem>> ListWebhookEndpointsAsync(CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<WebhookEndpointItem>>(client.Api.Webhooks.Endpoints.ToGetRequestInformation(), null, cancellationToken);

    public Task<WebhookEndpointItem> GetWebhookEndpointAsync(Guid id, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WebhookEndpointItem>(client.Api.Webhooks.Endpoints[id].ToGetRequestInformation(), null, cancellationToken);

    public Task<WebhookEndpointItem> CreateWebhookEndpointAsync(WebhookEndpointInput input, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WebhookEndpointItem>(client.Api.Webhooks.Endpoints.ToPostRequestInformation(new WebhookEndpointRequest()), input, cancellationToken);

    public Task<WebhookEndpointItem> UpdateWebhookEndpointAsync(Guid id, WebhookEndpointInput input, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WebhookEndpointItem>(client.Api.Webhooks.Endpoints[id].ToPatchRequestInformation(new WebhookEndpointRequest()), input, cancellationToken);

    public Task<WebhookEndpointItem> RotateWebhookSecretAsync(Guid id, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WebhookEndpointItem>(client.Api.Webhooks.Endpoints[id].RotateSecret.ToPostRequestInformation(), null, cancellationToken);

    public Task DeleteWebhookEndpointAsync(Guid id, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<JsonNode?>(client.Api.Webhooks.Endpoints[id].ToDeleteRequestInformation(), null, cancellationToken);

    public async Task<IReadOnlyList<WebhookMessageItem>> ListWebhookMessagesAsync(Guid id, string? status, CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<WebhookMessageItem>>(
            client.Api.Webhooks.Endpoints[id].Messages.ToGetRequestInformation(c =>
            {
                c.QueryParameters.Status = string.IsNullOrWhiteSpace(status) ? null : status;
                c.QueryParameters.Limit = WebhookListLimit;
            }),
            null,
            cancellationToken);

    public async Task<IReadOnlyList<WebhookAttemptItem>> ListWebhookAttemptsAsync(Guid id, CancellationToken cancellationToken = default) =>
        await EnterpriseAsync<List<WebhookAttemptItem>>(
            client.Api.Webhooks.Endpoints[id].Attempts.ToGetRequestInformation(c => c.QueryParameters.Limit = WebhookListLimit), null, cancellationToken);

    public Task<WebhookReplayResult> ReplayWebhookMessageAsync(Guid id, long messageId, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WebhookReplayResult>(client.Api.Webhooks.Endpoints[id].Messages[messageId].Replay.ToPostRequestInformation(), null, cancellationToken);

    public Task<WebhookReplayResult> ReplayWebhookRangeAsync(Guid id, WebhookReplayInput input, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<WebhookReplayResult>(client.Api.Webhooks.Endpoints[id].Replay.ToPostRequestInformation(new WebhookReplayRequest()), input, cancellationToken);
}
