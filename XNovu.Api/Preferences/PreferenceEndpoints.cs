using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Preferences;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;

namespace XNovu.Api.Preferences;

/// <summary>
/// Subscriber preferences with the request and answer shapes of Novu's <c>/v2/subscribers/{id}/preferences</c>
/// (global, per workflow, bulk), the enterprise's defaults per workflow and per category, and a workflow's own
/// defaults and criticality. Every answer shows each channel as the dispatcher will decide it
/// (<see cref="PreferenceResolver"/>), and which source decided. Row-level security makes another enterprise's
/// subscriber, workflow or category unknown (404).
/// </summary>
public static class PreferenceEndpoints
{
    private const string WorkflowScope = "workflow";
    private const string CategoryScope = "category";

    public static IEndpointRouteBuilder MapPreferenceEndpoints(this IEndpointRouteBuilder routes)
    {
        var subscribers = routes.MapGroup("/api/subscribers/{subscriberId}/preferences").WithTags("Preferences")
            .RequireAuthorization(XNovuAuth.EnterprisePolicy);
        subscribers.MapGet("/", GetAsync);
        subscribers.MapPatch("/", PatchAsync);
        subscribers.MapPatch("/bulk", BulkAsync);

        var defaults = routes.MapGroup("/api/preferences/defaults").WithTags("Preferences").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        defaults.MapGet("/", DefaultsAsync);
        defaults.MapPut("/workflows/{workflowKey}", (string workflowKey, PreferenceDefaultBody body, HttpContext http, PreferenceStore store, StaticWorkflowRegistry registry, CancellationToken ct) =>
            PutDefaultAsync(WorkflowScope, workflowKey, body, http, store, registry, ct));
        defaults.MapPut("/categories/{categoryCode}", (string categoryCode, PreferenceDefaultBody body, HttpContext http, PreferenceStore store, StaticWorkflowRegistry registry, CancellationToken ct) =>
            PutDefaultAsync(CategoryScope, categoryCode, body, http, store, registry, ct));
        defaults.MapDelete("/workflows/{workflowKey}", (string workflowKey, HttpContext http, PreferenceStore store, CancellationToken ct) =>
            DeleteDefaultAsync(WorkflowScope, workflowKey, http, store, ct));
        defaults.MapDelete("/categories/{categoryCode}", (string categoryCode, HttpContext http, PreferenceStore store, CancellationToken ct) =>
            DeleteDefaultAsync(CategoryScope, categoryCode, http, store, ct));

        var workflows = routes.MapGroup("/api/workflows/{workflowKey}/preferences").WithTags("Preferences").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        workflows.MapGet("/", GetWorkflowAsync);
        workflows.MapPut("/", PutWorkflowAsync);
        return routes;
    }

    private static async Task<Results<Ok<SubscriberPreferences>, ProblemHttpResult>> GetAsync(
        string subscriberId, string? criticality, HttpContext http, PreferenceStore store, PreferenceSnapshotStore snapshots,
        StaticWorkflowRegistry registry, CancellationToken cancellationToken)
    {
        if (criticality is not (null or "nonCritical" or "critical" or "all"))
        {
            return Problems.Validation("criticality", "must be nonCritical, critical or all.");
        }

        var enterpriseId = http.User.EnterpriseId();
        if (!await store.SubscriberExistsAsync(enterpriseId, subscriberId, cancellationToken))
        {
            return Problems.NotFound($"Subscriber '{subscriberId}' does not exist.");
        }

        return TypedResults.Ok(await AnswerAsync(enterpriseId, subscriberId, criticality ?? "nonCritical", store, snapshots, registry, cancellationToken));
    }

    private static async Task<Results<Ok<SubscriberPreferences>, ProblemHttpResult>> PatchAsync(
        string subscriberId, PreferencePatch body, HttpContext http, PreferenceStore store, PreferenceSnapshotStore snapshots,
        StaticWorkflowRegistry registry, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var channels = PreferenceValidation.Channels(body.Channels, "channels", errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        return await WriteAsync(subscriberId, [(body.WorkflowId, channels!)], http, store, snapshots, registry, cancellationToken);
    }

    private static async Task<Results<Ok<SubscriberPreferences>, ProblemHttpResult>> BulkAsync(
        string subscriberId, BulkPreferencePatch body, HttpContext http, PreferenceStore store, PreferenceSnapshotStore snapshots,
        StaticWorkflowRegistry registry, CancellationToken cancellationToken)
    {
        if (body.Preferences is not { Count: > 0 and <= PreferenceValidation.MaxBulkPreferences } preferences)
        {
            return Problems.Validation("preferences", $"must hold 1 to {PreferenceValidation.MaxBulkPreferences} preferences.");
        }

        var errors = new ValidationErrors();
        var changes = new List<(string?, Dictionary<NotificationChannel, bool>)>(preferences.Count);
        for (var i = 0; i < preferences.Count; i++)
        {
            if (preferences[i] is not { } preference)
            {
                errors.Add($"preferences[{i}]", "must be a preference object.");
                continue;
            }

            errors.Require(preference.WorkflowId, $"preferences[{i}].workflowId");
            if (PreferenceValidation.Channels(preference.Channels, $"preferences[{i}].channels", errors) is { } channels)
            {
                changes.Add((preference.WorkflowId, channels));
            }
        }

        return errors.Any ? errors.ToProblem() : await WriteAsync(subscriberId, changes, http, store, snapshots, registry, cancellationToken);
    }

    private static async Task<Results<Ok<SubscriberPreferences>, ProblemHttpResult>> WriteAsync(
        string subscriberId, IReadOnlyList<(string? WorkflowId, Dictionary<NotificationChannel, bool> Channels)> changes,
        HttpContext http, PreferenceStore store, PreferenceSnapshotStore snapshots, StaticWorkflowRegistry registry, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        var catalog = await CatalogAsync(enterpriseId, store, registry, cancellationToken);
        foreach (var (workflowId, _) in changes)
        {
            if (workflowId is not null && !catalog.ContainsKey(workflowId))
            {
                return Problems.NotFound($"Workflow '{workflowId}' does not exist.");
            }
        }

        var rows = changes.Select(c => (c.WorkflowId ?? string.Empty, PreferenceChannels.Write(c.Channels))).ToList();
        if (!await store.MergeSubscriberAsync(enterpriseId, subscriberId, rows, cancellationToken))
        {
            return Problems.NotFound($"Subscriber '{subscriberId}' does not exist.");
        }

        return TypedResults.Ok(await AnswerAsync(enterpriseId, subscriberId, "all", store, snapshots, registry, cancellationToken));
    }

    /// <summary>
    /// The subscriber's preferences as they will be applied: the global one as stored (a channel not set is on),
    /// and each workflow's channels decided by <see cref="PreferenceResolver"/>, with the source that decided.
    /// </summary>
    private static async Task<SubscriberPreferences> AnswerAsync(
        Guid enterpriseId, string subscriberId, string criticality, PreferenceStore store, PreferenceSnapshotStore snapshots,
        StaticWorkflowRegistry registry, CancellationToken cancellationToken)
    {
        var catalog = await CatalogAsync(enterpriseId, store, registry, cancellationToken);
        var snapshot = await snapshots.LoadAsync(enterpriseId, catalog.Keys.ToList(), [subscriberId], cancellationToken);
        var stored = snapshot.Subscribers.GetValueOrDefault((subscriberId, string.Empty)) ?? new Dictionary<NotificationChannel, bool>();
        var global = PreferenceChannels.Keys.ToDictionary(
            key => key, key => !PreferenceChannels.TryParse(key, out var channel) || stored.GetValueOrDefault(channel, true), StringComparer.Ordinal);

        var workflows = new List<WorkflowPreferenceAnswer>(catalog.Count);
        foreach (var (key, (name, channels)) in catalog)
        {
            var layers = snapshot.For(key, subscriberId);
            if ((criticality == "nonCritical" && layers.Critical) || (criticality == "critical" && !layers.Critical))
            {
                continue;
            }

            var decisions = channels.Select(channel => PreferenceResolver.Decide(channel, layers)).ToList();
            workflows.Add(new WorkflowPreferenceAnswer(
                decisions.Count == 0 || decisions.Any(d => d.Enabled),
                decisions.ToDictionary(d => d.Channel.ToPreferenceKey(), d => d.Enabled, StringComparer.Ordinal),
                [],
                new PreferenceWorkflow(key, key, name, layers.Critical),
                decisions.ToDictionary(d => d.Channel.ToPreferenceKey(), d => d.SourceName, StringComparer.Ordinal),
                null));
        }

        return new SubscriberPreferences(new GlobalPreference(global.Values.Any(v => v), global), workflows);
    }

    /// <summary>Every workflow the enterprise can trigger, by key, with its name and channels: its own, then the shipped ones it has not replaced.</summary>
    internal static async Task<SortedDictionary<string, (string Name, IReadOnlyList<NotificationChannel> Channels)>> CatalogAsync(
        Guid enterpriseId, PreferenceStore store, StaticWorkflowRegistry registry, CancellationToken cancellationToken)
    {
        var catalog = new SortedDictionary<string, (string, IReadOnlyList<NotificationChannel>)>(StringComparer.Ordinal);
        foreach (var own in await store.OwnWorkflowsAsync(enterpriseId, cancellationToken))
        {
            catalog[own.WorkflowKey] = (own.Name, Parse(own.Channels));
        }

        foreach (var shipped in registry.Workflows)
        {
            catalog.TryAdd(shipped.WorkflowKey, (shipped.Name, Parse(shipped.DefaultChannels)));
        }

        return catalog;

        static IReadOnlyList<NotificationChannel> Parse(IEnumerable<string> names) =>
            names.Select(n => NotificationChannelNames.TryParse(n, out var c) ? c : (NotificationChannel?)null).OfType<NotificationChannel>().Distinct().ToList();
    }

    private static async Task<Ok<PreferenceDefaults>> DefaultsAsync(HttpContext http, PreferenceStore store, CancellationToken cancellationToken)
    {
        var rows = await store.DefaultsAsync(http.User.EnterpriseId(), cancellationToken);
        var answers = rows.Select(r => new PreferenceDefaultAnswer(
            r.Scope, r.ScopeKey, PreferenceValidation.ToWire(PreferenceChannels.Read(r.Channels)), r.Forced, Utc(r.UpdatedAt))).ToList();
        return TypedResults.Ok(new PreferenceDefaults(
            answers.Where(a => a.Scope == WorkflowScope).ToList(), answers.Where(a => a.Scope == CategoryScope).ToList()));
    }

    private static async Task<Results<Ok<PreferenceDefaultAnswer>, ProblemHttpResult>> PutDefaultAsync(
        string scope, string key, PreferenceDefaultBody body, HttpContext http, PreferenceStore store, StaticWorkflowRegistry registry,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var channels = PreferenceValidation.Channels(body.Channels, "channels", errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = http.User.EnterpriseId();
        var known = scope == WorkflowScope
            ? (await CatalogAsync(enterpriseId, store, registry, cancellationToken)).ContainsKey(key)
            : await store.CategoryExistsAsync(enterpriseId, key, cancellationToken);
        if (!known)
        {
            return Problems.NotFound($"{(scope == WorkflowScope ? "Workflow" : "Category")} '{key}' does not exist.");
        }

        var forced = body.Forced ?? false;
        var updatedAt = await store.PutDefaultAsync(enterpriseId, scope, key, PreferenceChannels.Write(channels!), forced, cancellationToken);
        return TypedResults.Ok(new PreferenceDefaultAnswer(scope, key, PreferenceValidation.ToWire(channels!), forced, Utc(updatedAt)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteDefaultAsync(
        string scope, string key, HttpContext http, PreferenceStore store, CancellationToken cancellationToken) =>
        await store.DeleteDefaultAsync(http.User.EnterpriseId(), scope, key, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.NotFound($"No default is set for {scope} '{key}'.");

    private static async Task<Results<Ok<WorkflowPreferenceSettings>, ProblemHttpResult>> GetWorkflowAsync(
        string workflowKey, HttpContext http, PreferenceStore store, StaticWorkflowRegistry registry, CancellationToken cancellationToken)
    {
        var enterpriseId = http.User.EnterpriseId();
        if (!(await CatalogAsync(enterpriseId, store, registry, cancellationToken)).ContainsKey(workflowKey))
        {
            return Problems.NotFound($"Workflow '{workflowKey}' does not exist.");
        }

        var stored = await store.WorkflowPreferenceAsync(enterpriseId, workflowKey, cancellationToken);
        return TypedResults.Ok(Settings(workflowKey, stored is { } s ? PreferenceChannels.Read(s.Channels) : new Dictionary<NotificationChannel, bool>(),
            stored?.ReadOnly ?? false, stored?.Critical ?? false, stored is { } row ? Utc(row.UpdatedAt) : null));
    }

    private static async Task<Results<Ok<WorkflowPreferenceSettings>, ProblemHttpResult>> PutWorkflowAsync(
        string workflowKey, WorkflowPreferenceBody body, HttpContext http, PreferenceStore store, StaticWorkflowRegistry registry,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var channels = PreferenceValidation.WorkflowChannels(body.Preferences, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = http.User.EnterpriseId();
        if (!(await CatalogAsync(enterpriseId, store, registry, cancellationToken)).ContainsKey(workflowKey))
        {
            return Problems.NotFound($"Workflow '{workflowKey}' does not exist.");
        }

        var readOnly = body.Preferences?.All?.ReadOnly ?? false;
        var critical = body.Critical ?? false;
        var updatedAt = await store.PutWorkflowPreferenceAsync(enterpriseId, workflowKey, PreferenceChannels.Write(channels!), readOnly, critical, cancellationToken);
        return TypedResults.Ok(Settings(workflowKey, channels!, readOnly, critical, Utc(updatedAt)));
    }

    private static WorkflowPreferenceSettings Settings(
        string workflowKey, IReadOnlyDictionary<NotificationChannel, bool> channels, bool readOnly, bool critical, DateTimeOffset? updatedAt) =>
        new(workflowKey, critical, new NovuWorkflowPreferences(
            new NovuAllPreference(true, readOnly),
            PreferenceChannels.Keys.ToDictionary(
                key => key,
                key => new NovuChannelPreference(!PreferenceChannels.TryParse(key, out var channel) || channels.GetValueOrDefault(channel, true)),
                StringComparer.Ordinal)),
            updatedAt);

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
