using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using XNovu.NovuEmulator.Shared;
using XNovu.NovuEmulator.Subscribers;
using XNovu.NovuEmulator.Webhooks;
using XNovu.NovuEmulator.Workflows;

namespace XNovu.NovuEmulator.Inbox;

/// <summary>
/// The part of Novu's Inbox API a subscriber's preference change goes through, as Novu's <c>&lt;Inbox/&gt;</c>
/// (<c>@novu/js</c>) calls it: <c>POST /v1/inbox/session</c> with the environment's application identifier and the
/// subscriber id opens a session (a bearer token), then <c>PATCH /v1/inbox/preferences</c> (global) or
/// <c>PATCH /v1/inbox/preferences/{workflowIdOrIdentifier}</c> with <c>{"email":false,...}</c> writes the
/// subscriber's own choice. Like Novu, each write is followed by a <c>preference.updated</c> webhook. No HMAC
/// (Novu's is optional); an unknown application identifier is 400, an unknown subscriber 404, a critical workflow
/// 400, a token that is not a session's 401.
/// </summary>
public static class InboxApiEndpoints
{
    private static readonly ConcurrentDictionary<string, string> Sessions = new(StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapInboxApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/inbox").WithTags("Inbox");
        group.MapPost("/session", SessionAsync);
        group.MapPatch("/preferences", (HttpContext context, SubscriberStore subscribers, WorkflowStore workflows, PreferenceStore preferences,
            WebhookSender webhooks, CancellationToken ct) => UpdateAsync(context, null, subscribers, workflows, preferences, webhooks, ct));
        group.MapPatch("/preferences/{workflowId}", (string workflowId, HttpContext context, SubscriberStore subscribers, WorkflowStore workflows,
            PreferenceStore preferences, WebhookSender webhooks, CancellationToken ct) => UpdateAsync(context, workflowId, subscribers, workflows, preferences, webhooks, ct));
        return routes;
    }

    private static async Task<IResult> SessionAsync(HttpContext context, SubscriberStore subscribers, IOptions<NovuEmulatorOptions> options, CancellationToken ct)
    {
        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        var application = body?["applicationIdentifier"].AsString();
        var subscriberId = body?["subscriberId"].AsString() ?? body?["subscriber"]?["subscriberId"].AsString();
        if (application != options.Value.ApplicationIdentifier)
        {
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Please provide a valid app identifier");
        }

        if (string.IsNullOrEmpty(subscriberId) || subscribers.Get(subscriberId) is null)
        {
            return PreferenceEndpoints.SubscriberNotFound(context, subscriberId ?? string.Empty);
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        Sessions[token] = subscriberId;
        return NovuApi.Data(new { token, totalUnreadCount = 0, removeNovuBranding = false, isDevelopmentMode = true }, StatusCodes.Status201Created);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string? workflowId, SubscriberStore subscribers, WorkflowStore workflows,
        PreferenceStore preferences, WebhookSender webhooks, CancellationToken ct)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || !Sessions.TryGetValue(header[7..].Trim(), out var subscriberId))
        {
            return NovuApi.Error(context, StatusCodes.Status401Unauthorized, "Unauthorized");
        }

        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        if (body is null)
        {
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Request body must be a JSON object");
        }

        // The Inbox sends the channels at the top level; read as the v2 route reads its `channels`.
        var errors = new List<FieldError>();
        var change = PreferenceEndpoints.ReadChange(new JsonObject { ["channels"] = body.DeepClone() }, string.Empty, requireWorkflow: false, errors);
        if (errors.Count > 0)
        {
            return NovuApi.ValidationError(context, errors);
        }

        if (subscribers.Get(subscriberId) is null)
        {
            return PreferenceEndpoints.SubscriberNotFound(context, subscriberId);
        }

        WorkflowDto? workflow = null;
        if (workflowId is not null && PreferenceEndpoints.Refuse(context, workflows, workflowId, out workflow) is { } refused)
        {
            return refused;
        }

        preferences.Apply(subscriberId, [(workflow?.Id, change.Channels)]);
        var choices = preferences.Get(subscriberId);
        var level = workflow is null ? PreferenceView.GlobalLevel(choices) : PreferenceView.Level(workflow, choices);
        webhooks.PreferenceUpdated(subscriberId, level);
        return NovuApi.Data(level);
    }
}
