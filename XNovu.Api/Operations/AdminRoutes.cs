namespace XNovu.Api.Operations;

/// <summary>
/// The operator's admin routes. The AppHost compiles this file too (linked), for its dashboard commands: it
/// cannot reference the API's assembly, which Aspire treats as a resource, and must not spell the routes itself.
/// </summary>
internal static class AdminRoutes
{
    public const string Prefix = "/api/admin/operations";
    public const string RetryFailedSegment = "/retry-failed";
    public const string TemplateCacheSegment = "/template-cache";
    public const string ClearTemplateCacheSegment = "/clear-template-cache";
    public const string ReloadRulesSegment = "/reload-rules";

    public const string RetryFailed = Prefix + RetryFailedSegment;
    public const string ClearTemplateCache = Prefix + ClearTemplateCacheSegment;
    public const string ReloadRules = Prefix + ReloadRulesSegment;

    /// <summary>Syncs every workflow to Novu now (<c>NovuSyncEndpoints</c>).</summary>
    public const string NovuSync = "/api/admin/novu/sync";
}
