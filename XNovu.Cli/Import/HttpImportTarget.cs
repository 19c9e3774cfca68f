using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XNovu.Cli.Import;

/// <summary>
/// <see cref="IXNovuImportTarget"/> over XNovu's HTTP API with an enterprise key.
/// </summary>
/// <remarks>Written against the HTTP API until XNovu.Client (issue 17) lands; the importer sees only the interface.</remarks>
internal sealed class HttpImportTarget : IXNovuImportTarget, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    public HttpImportTarget(Uri apiUrl, string apiKey, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = apiUrl;
        _http.Timeout = TimeSpan.FromSeconds(60);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public void Dispose() => _http.Dispose();

    public async Task<IReadOnlyList<LookupDefinition>> ListLookupsAsync(LookupKind kind, CancellationToken cancellationToken)
    {
        var items = await ReadAsync<JsonArray>(HttpMethod.Get, LookupPath(kind), null, cancellationToken) ?? [];
        return items.OfType<JsonObject>()
            .Select(o => new LookupDefinition((string)o["code"]!, (string)o["name"]!, (string?)o["description"], (int?)o["sortOrder"] ?? 0))
            .ToList();
    }

    public Task SaveLookupAsync(LookupKind kind, LookupDefinition lookup, bool exists, CancellationToken cancellationToken) =>
        SendAsync(
            exists ? HttpMethod.Put : HttpMethod.Post,
            exists ? $"{LookupPath(kind)}/{Uri.EscapeDataString(lookup.Code)}" : LookupPath(kind),
            new { code = lookup.Code, name = lookup.Name, description = lookup.Description, sortOrder = lookup.SortOrder },
            cancellationToken);

    public async Task<TemplateDefinition?> GetTemplateAsync(string templateKey, CancellationToken cancellationToken)
    {
        if (await ReadAsync<JsonObject>(HttpMethod.Get, $"/api/templates/{Uri.EscapeDataString(templateKey)}", null, cancellationToken) is not { } o)
        {
            return null;
        }

        return new TemplateDefinition(
            (string)o["templateKey"]!, (string)o["name"]!, (string?)o["description"], (string)o["channelType"]!,
            (string?)o["subjectTemplate"], (string)o["bodyTemplate"]!, o["variablesDescription"]?.DeepClone(), (string?)o["categoryCode"],
            (bool?)o["payloadAtRoot"], StateOf(o));
    }

    public async Task<IReadOnlyList<string>> SaveTemplateAsync(TemplateDefinition template, bool exists, CancellationToken cancellationToken)
    {
        var answer = await ReadAsync<JsonObject>(
            exists ? HttpMethod.Put : HttpMethod.Post,
            exists ? $"/api/templates/{Uri.EscapeDataString(template.TemplateKey)}" : "/api/templates",
            new
            {
                templateKey = template.TemplateKey,
                name = template.Name,
                description = template.Description,
                channelType = template.ChannelType,
                subjectTemplate = template.SubjectTemplate,
                bodyTemplate = template.BodyTemplate,
                variablesDescription = template.VariablesDescription,
                categoryCode = template.CategoryCode,
                payloadAtRoot = template.PayloadAtRoot,
            },
            cancellationToken);
        return answer?["notes"] is JsonArray notes ? notes.Select(n => (string)n!).ToList() : [];
    }

    public Task SetTemplateStateAsync(string templateKey, DefinitionState state, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"/api/templates/{Uri.EscapeDataString(templateKey)}/{Verb(state)}", null, cancellationToken);

    public async Task<WorkflowDefinition?> GetWorkflowAsync(string workflowKey, CancellationToken cancellationToken)
    {
        if (await ReadAsync<JsonObject>(HttpMethod.Get, $"/api/workflows/{Uri.EscapeDataString(workflowKey)}", null, cancellationToken) is not { } o)
        {
            return null;
        }

        var overrides = (o["templateOverrides"] as JsonObject ?? [])
            .ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);
        return new WorkflowDefinition(
            (string)o["workflowKey"]!, (string)o["name"]!, (string?)o["description"],
            (o["defaultChannels"] as JsonArray ?? []).Select(c => (string)c!).ToList(),
            o["payloadSchema"]?.DeepClone(), o["controlSchema"]?.DeepClone(), overrides, (string?)o["categoryCode"], StateOf(o),
            IsStatic: o["id"] is null);
    }

    public Task SaveWorkflowAsync(WorkflowDefinition workflow, bool exists, CancellationToken cancellationToken) =>
        SendAsync(
            exists ? HttpMethod.Put : HttpMethod.Post,
            exists ? $"/api/workflows/{Uri.EscapeDataString(workflow.WorkflowKey)}" : "/api/workflows",
            new
            {
                workflowKey = workflow.WorkflowKey,
                name = workflow.Name,
                description = workflow.Description,
                workflowType = "DYNAMIC",
                defaultChannels = workflow.DefaultChannels,
                payloadSchema = workflow.PayloadSchema,
                controlSchema = workflow.ControlSchema,
                templateOverrides = workflow.TemplateOverrides,
                categoryCode = workflow.CategoryCode,
            },
            cancellationToken);

    public Task SetWorkflowStateAsync(string workflowKey, DefinitionState state, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"/api/workflows/{Uri.EscapeDataString(workflowKey)}/{Verb(state)}", null, cancellationToken);

    public async Task<IReadOnlyList<RuleDefinition>> ListRulesAsync(CancellationToken cancellationToken)
    {
        var items = await ReadAsync<JsonArray>(HttpMethod.Get, "/api/rules", null, cancellationToken) ?? [];
        return items.OfType<JsonObject>()
            .Select(o => new RuleDefinition(
                (long)o["id"]!, (string)o["name"]!, (string?)o["description"], (string)o["workflowKey"]!, (string)o["triggerType"]!,
                o["triggerConfig"]?.DeepClone() as JsonObject ?? [], o["rulePayload"]?.DeepClone() as JsonObject ?? [], StateOf(o)))
            .ToList();
    }

    public async Task<long> SaveRuleAsync(RuleDefinition rule, CancellationToken cancellationToken)
    {
        var body = new
        {
            name = rule.Name,
            description = rule.Description,
            workflowKey = rule.WorkflowKey,
            triggerType = rule.TriggerType,
            triggerConfig = rule.TriggerConfig,
            rulePayload = rule.RulePayload,
        };
        var answer = rule.Id is { } id
            ? await ReadAsync<JsonObject>(HttpMethod.Put, $"/api/rules/{id}", body, cancellationToken)
            : await ReadAsync<JsonObject>(HttpMethod.Post, "/api/rules", body, cancellationToken);
        return (long)answer!["id"]!;
    }

    public Task SetRuleStateAsync(long ruleId, DefinitionState state, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"/api/rules/{ruleId}/{Verb(state)}", null, cancellationToken);

    private static string LookupPath(LookupKind kind) => kind == LookupKind.Category ? "/api/categories" : "/api/priorities";

    private static string Verb(DefinitionState state) => state switch
    {
        DefinitionState.Published => "publish",
        DefinitionState.Deactivated => "deactivate",
        _ => "unpublish",
    };

    private static DefinitionState StateOf(JsonObject o) =>
        (bool?)o["deactivated"] == true ? DefinitionState.Deactivated
        : (string?)o["publishStatus"] == "PUBLISH" ? DefinitionState.Published
        : DefinitionState.Draft;

    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        await ReadAsync<JsonNode>(method, path, body, cancellationToken);

    /// <summary>The answer's JSON; null for a 404 on a read; a problem otherwise thrown as <see cref="ImportTargetException"/>.</summary>
    private async Task<T?> ReadAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken) where T : JsonNode
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound && method == HttpMethod.Get)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = text.Length == 0 ? null : JsonNode.Parse(text);
        if (response.IsSuccessStatusCode)
        {
            return json as T;
        }

        var errors = (json?["errors"] as JsonObject)?
            .ToDictionary(e => e.Key, e => (e.Value as JsonArray ?? []).Select(m => (string)m!).ToArray());
        throw new ImportTargetException(
            (int)response.StatusCode,
            (string?)json?["type"],
            (string?)json?["detail"] ?? (string?)json?["title"] ?? response.ReasonPhrase ?? "refused",
            errors);
    }
}
