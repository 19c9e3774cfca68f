using System.Text.Json.Nodes;
using XNovu.Client.Api.Models;

namespace XNovu.Console.Api;

/// <summary>Issue 29: subscriber preferences, the enterprise's defaults, and a workflow's digest.</summary>
public sealed partial class ClientConsoleApi
{
    public Task<SubscriberPreferencesView> GetSubscriberPreferencesAsync(string subscriberId, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<SubscriberPreferencesView>(
            client.Api.Subscribers[subscriberId].Preferences.ToGetRequestInformation(c => c.QueryParameters.Criticality = "all"), null, cancellationToken);

    public Task<SubscriberPreferencesView> SetSubscriberPreferenceAsync(
        string subscriberId, string? workflowKey, IReadOnlyDictionary<string, bool> channels, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<SubscriberPreferencesView>(
            client.Api.Subscribers[subscriberId].Preferences.ToPatchRequestInformation(new PreferencePatch()),
            new { workflowId = workflowKey, channels }, cancellationToken);

    public Task<PreferenceDefaultsView> GetPreferenceDefaultsAsync(CancellationToken cancellationToken = default) =>
        EnterpriseAsync<PreferenceDefaultsView>(client.Api.Preferences.Defaults.ToGetRequestInformation(), null, cancellationToken);

    public Task<PreferenceDefaultView> PutPreferenceDefaultAsync(
        string scope, string key, IReadOnlyDictionary<string, bool> channels, bool forced, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<PreferenceDefaultView>(
            scope == "category"
                ? client.Api.Preferences.Defaults.Categories[key].ToPutRequestInformation(new PreferenceDefaultBody())
                : client.Api.Preferences.Defaults.Workflows[key].ToPutRequestInformation(new PreferenceDefaultBody()),
            new { channels, forced }, cancellationToken);

    public Task DeletePreferenceDefaultAsync(string scope, string key, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<JsonNode?>(
            scope == "category"
                ? client.Api.Preferences.Defaults.Categories[key].ToDeleteRequestInformation()
                : client.Api.Preferences.Defaults.Workflows[key].ToDeleteRequestInformation(),
            null, cancellationToken);

    public async Task<DigestView?> GetDigestAsync(string workflowKey, CancellationToken cancellationToken = default)
    {
        try
        {
            return await EnterpriseAsync<DigestView>(client.Api.Workflows[workflowKey].Digest.ToGetRequestInformation(), null, cancellationToken);
        }
        catch (ApiProblemException problem) when (problem.Status == 404)
        {
            return null;
        }
    }

    public Task<DigestView> PutDigestAsync(string workflowKey, JsonObject digest, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<DigestView>(client.Api.Workflows[workflowKey].Digest.ToPutRequestInformation(new DigestSettings()), digest, cancellationToken);

    public Task DeleteDigestAsync(string workflowKey, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<JsonNode?>(client.Api.Workflows[workflowKey].Digest.ToDeleteRequestInformation(), null, cancellationToken);

    public Task<PreviewResult> PreviewDigestAsync(string templateKey, IReadOnlyList<JsonObject> events, CancellationToken cancellationToken = default) =>
        EnterpriseAsync<PreviewResult>(
            client.Api.Templates.Preview.ToPostRequestInformation(new PreviewRequest()), new { templateKey, digestEvents = events }, cancellationToken);
}
