namespace XNovu.Console.Api;

/// <summary>
/// Everything the console asks of the XNovu API, always with the signed-in user's key. Every failure is an
/// <see cref="ApiProblemException"/>.
/// </summary>
public interface IConsoleApi
{
    /// <summary>Whether <paramref name="key"/> is the admin key; false when the API refuses it.</summary>
    Task<bool> IsAdminKeyAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="key"/> is an enterprise key the API accepts.</summary>
    Task<bool> IsEnterpriseKeyAsync(string key, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<EnterpriseItem>> ListEnterprisesAsync(CancellationToken cancellationToken = default);

    /// <summary>A key of the enterprise that stops working at <paramref name="expiresAt"/>.</summary>
    Task<CreatedApiKey> CreateApiKeyAsync(Guid enterpriseId, string name, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    Task RevokeApiKeyAsync(Guid enterpriseId, Guid keyId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TemplateItem>> ListTemplatesAsync(string? channel, CancellationToken cancellationToken = default);

    Task<TemplateItem> GetTemplateAsync(string templateKey, CancellationToken cancellationToken = default);

    /// <summary>Creates the template when <paramref name="isNew"/>, otherwise replaces it.</summary>
    Task<TemplateItem> SaveTemplateAsync(TemplateInput template, bool isNew, CancellationToken cancellationToken = default);

    Task<TemplateItem> SetTemplatePublishedAsync(string templateKey, bool published, CancellationToken cancellationToken = default);

    Task<PreviewResult> PreviewAsync(PreviewInput input, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WorkflowItem>> ListWorkflowsAsync(CancellationToken cancellationToken = default);

    Task<WorkflowItem> GetWorkflowAsync(string workflowKey, CancellationToken cancellationToken = default);

    Task<WorkflowItem> SaveWorkflowAsync(WorkflowInput workflow, bool isNew, CancellationToken cancellationToken = default);

    Task<WorkflowItem> SetWorkflowPublishedAsync(string workflowKey, bool published, CancellationToken cancellationToken = default);

    Task<WorkflowStats> WorkflowStatsAsync(CancellationToken cancellationToken = default);

    /// <summary>The workflow's published versions, newest first (issue 30).</summary>
    Task<IReadOnlyList<WorkflowVersionItem>> ListWorkflowVersionsAsync(string workflowKey, CancellationToken cancellationToken = default);

    Task<VersionDiff> DiffWorkflowVersionsAsync(string workflowKey, int from, int to, CancellationToken cancellationToken = default);

    /// <summary>That version's definition live again, as a new version.</summary>
    Task<WorkflowItem> RollbackWorkflowAsync(string workflowKey, int version, CancellationToken cancellationToken = default);

    /// <summary>The template's published versions, newest first (issue 30).</summary>
    Task<IReadOnlyList<TemplateVersionItem>> ListTemplateVersionsAsync(string templateKey, CancellationToken cancellationToken = default);

    Task<VersionDiff> DiffTemplateVersionsAsync(string templateKey, int from, int to, CancellationToken cancellationToken = default);

    /// <summary>That version's content live again (and the draft), as a new version.</summary>
    Task<TemplateItem> RollbackTemplateAsync(string templateKey, int version, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<LayoutItem>> ListLayoutsAsync(CancellationToken cancellationToken = default);

    Task<LayoutItem> GetLayoutAsync(string layoutKey, CancellationToken cancellationToken = default);

    /// <summary>Creates the layout when <paramref name="isNew"/>, otherwise replaces its draft.</summary>
    Task<LayoutItem> SaveLayoutAsync(LayoutInput layout, bool isNew, CancellationToken cancellationToken = default);

    /// <summary>The draft as the next version, live.</summary>
    Task<LayoutItem> PublishLayoutAsync(string layoutKey, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<LayoutVersionItem>> ListLayoutVersionsAsync(string layoutKey, CancellationToken cancellationToken = default);

    Task<LayoutItem> RollbackLayoutAsync(string layoutKey, int version, CancellationToken cancellationToken = default);

    /// <summary>An email body rendered inside the layout (its unsaved fields when given).</summary>
    Task<PreviewResult> PreviewLayoutAsync(string layoutKey, LayoutPreviewInput input, CancellationToken cancellationToken = default);

    /// <summary>The enterprise's audit trail, newest first, optionally of one entity type.</summary>
    Task<AuditPage> ListAuditAsync(string? entityType, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<RuleItem>> ListRulesAsync(CancellationToken cancellationToken = default);

    Task<RuleItem> GetRuleAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Creates the rule when <paramref name="id"/> is null, otherwise replaces it.</summary>
    Task<RuleItem> SaveRuleAsync(long? id, RuleInput rule, CancellationToken cancellationToken = default);

    /// <summary>Enabled is published: the rule engine fires only published rules.</summary>
    Task<RuleItem> SetRuleEnabledAsync(long id, bool enabled, CancellationToken cancellationToken = default);

    Task<NotificationPage> ListNotificationsAsync(NotificationFilter filter, CancellationToken cancellationToken = default);

    Task<NotificationDetail> GetNotificationAsync(long id, CancellationToken cancellationToken = default);

    Task RetryNotificationAsync(long id, CancellationToken cancellationToken = default);

    Task CancelNotificationAsync(long id, string? reason, CancellationToken cancellationToken = default);

    /// <summary>The enterprise's webhook endpoints (issue 28).</summary>
    Task<IReadOnlyList<WebhookEndpointItem>> ListWebhookEndpointsAsync(CancellationToken cancellationToken = default);

    Task<WebhookEndpointItem> GetWebhookEndpointAsync(Guid id, CancellationToken cancellationToken = default);

    /// <summary>The new endpoint with its secret, shown this once.</summary>
    Task<WebhookEndpointItem> CreateWebhookEndpointAsync(WebhookEndpointInput input, CancellationToken cancellationToken = default);

    Task<WebhookEndpointItem> UpdateWebhookEndpointAsync(Guid id, WebhookEndpointInput input, CancellationToken cancellationToken = default);

    /// <summary>A new secret; the old one keeps signing beside it for the API's overlap.</summary>
    Task<WebhookEndpointItem> RotateWebhookSecretAsync(Guid id, CancellationToken cancellationToken = default);

    Task DeleteWebhookEndpointAsync(Guid id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WebhookMessageItem>> ListWebhookMessagesAsync(Guid id, string? status, CancellationToken cancellationToken = default);

    /// <summary>The endpoint's attempts, newest first.</summary>
    Task<IReadOnlyList<WebhookAttemptItem>> ListWebhookAttemptsAsync(Guid id, CancellationToken cancellationToken = default);

    Task<WebhookReplayResult> ReplayWebhookMessageAsync(Guid id, long messageId, CancellationToken cancellationToken = default);

    Task<WebhookReplayResult> ReplayWebhookRangeAsync(Guid id, WebhookReplayInput input, CancellationToken cancellationToken = default);

    Task<HealthReport> HealthAsync(CancellationToken cancellationToken = default);

    Task<OperationsMetrics> MetricsAsync(CancellationToken cancellationToken = default);

    Task<RuleEngineStatus> RuleEngineStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>A subscriber's preferences as they will be applied (every workflow, critical ones too), with the source of each channel.</summary>
    Task<SubscriberPreferencesView> GetSubscriberPreferencesAsync(string subscriberId, CancellationToken cancellationToken = default);

    /// <summary>The subscriber's own choice: for <paramref name="workflowKey"/>, or global when it is null.</summary>
    Task<SubscriberPreferencesView> SetSubscriberPreferenceAsync(
        string subscriberId, string? workflowKey, IReadOnlyDictionary<string, bool> channels, CancellationToken cancellationToken = default);

    Task<PreferenceDefaultsView> GetPreferenceDefaultsAsync(CancellationToken cancellationToken = default);

    /// <summary><paramref name="scope"/> is <c>workflow</c> or <c>category</c>; the channels replace the default's.</summary>
    Task<PreferenceDefaultView> PutPreferenceDefaultAsync(
        string scope, string key, IReadOnlyDictionary<string, bool> channels, bool forced, CancellationToken cancellationToken = default);

    Task DeletePreferenceDefaultAsync(string scope, string key, CancellationToken cancellationToken = default);

    /// <summary>The workflow's digest; null when it has none.</summary>
    Task<DigestView?> GetDigestAsync(string workflowKey, CancellationToken cancellationToken = default);

    Task<DigestView> PutDigestAsync(string workflowKey, System.Text.Json.Nodes.JsonObject digest, CancellationToken cancellationToken = default);

    Task DeleteDigestAsync(string workflowKey, CancellationToken cancellationToken = default);

    /// <summary>The stored template rendered as a digest of <paramref name="events"/> (sample payloads), through the API's preview.</summary>
    Task<PreviewResult> PreviewDigestAsync(string templateKey, IReadOnlyList<System.Text.Json.Nodes.JsonObject> events, CancellationToken cancellationToken = default);

    /// <summary>An admin operator action: <c>retry-failed</c>, <c>clear-template-cache</c> or <c>reload-rules</c>.</summary>
    Task<OperatorOutcome> RunOperatorActionAsync(string action, CancellationToken cancellationToken = default);
}
