using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using XNovu.Core.Definitions;
using XNovu.Core.Telemetry;
using XNovu.Core.Templates;
using XNovu.Dispatcher.Subscribers;
using XNovu.NovuClient;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>
/// Turns a claimed batch into Novu triggers and their results: resolves each workflow once per batch,
/// renders every channel per recipient, sends everything sendable in bulk calls (the client splits them
/// into calls of 100), and decides each delivery's fate. The rendered content travels in the payload under
/// the reserved key <c>xnovu</c>: <c>{"xnovu":{"notificationId":1,"channels":{"EMAIL":{"subject","body","text"}}}}</c>.
/// </summary>
public sealed partial class DeliveryProcessor(
    WorkflowDefinitionCache workflows,
    ITemplateEngine templates,
    INovuClient novu,
    SubscriberProfileStore profiles,
    RetryPolicy retryPolicy,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<DeliveryProcessor> logger)
{
    public const string ReservedPayloadKey = "xnovu";
    private const int NovuBulkSize = 100;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<DeliveryResult>> ProcessAsync(IReadOnlyList<ClaimedDelivery> batch, CancellationToken cancellationToken)
    {
        // A batch from one trigger joins that trigger's trace, so one trace runs from the API request through
        // the claim and render to the Novu call; a batch mixing triggers links to each of them instead.
        var parents = batch.Select(d => d.TraceParent).Distinct().Select(ParseContext).OfType<ActivityContext>().ToList();
        using var activity = parents.Count == 1
            ? XNovuTelemetry.Activities.StartActivity("xnovu.dispatch", ActivityKind.Internal, parents[0])
            : XNovuTelemetry.Activities.StartActivity("xnovu.dispatch", ActivityKind.Internal, default(ActivityContext), links: parents.Select(p => new ActivityLink(p)));
        activity?.SetTag("xnovu.batch.size", batch.Count);

        var results = new List<DeliveryResult>(batch.Count);
        var toSend = new List<(ClaimedDelivery Delivery, TriggerRequest Request)>(batch.Count);
        var resolved = new Dictionary<(Guid, string), ResolvedWorkflow?>();
        IReadOnlyDictionary<(Guid, string), NovuSubscriber> stored;
        try
        {
            stored = await profiles.LoadAsync(batch, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without the stored profiles the content would render without them: send the batch later instead.
            LogProfilesFailed(logger, e);
            return batch.Select(d => Decide(d, new NovuOutcome { Kind = NovuOutcomeKind.Retryable, Message = "Subscriber profiles could not be read." })).ToList();
        }

        // Delivery order makes the bulk body, and so its Idempotency-Key, the same when a claim is re-sent.
        foreach (var delivery in batch.OrderBy(d => d.DeliveryId))
        {
            var key = (delivery.EnterpriseId, delivery.WorkflowKey);
            ResolvedWorkflow? workflow;
            try
            {
                if (!resolved.TryGetValue(key, out workflow))
                {
                    resolved[key] = workflow = await workflows.GetAsync(delivery.EnterpriseId, delivery.WorkflowKey, cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A definition that cannot be read must not hold the whole batch hostage: retry these
                // deliveries later, within their attempt budget.
                LogResolveFailed(logger, e, delivery.WorkflowKey);
                results.Add(Decide(delivery, new NovuOutcome { Kind = NovuOutcomeKind.Retryable, Message = $"Workflow '{delivery.WorkflowKey}' could not be read." }));
                continue;
            }

            try
            {
                toSend.Add((delivery, await BuildAsync(delivery, workflow, stored, cancellationToken)));
            }
            catch (DeliveryRejectedException rejected)
            {
                results.Add(Fail(delivery, rejected.Message, httpStatus: null, novuStatus: null));
            }
            catch (TemplateRenderException render)
            {
                results.Add(Fail(delivery, $"Rendering failed: {render.Message}", httpStatus: null, novuStatus: null));
            }
        }

        if (toSend.Count > 0)
        {
            var outcomes = await SendAsync(toSend.Select(s => s.Request).ToList(), cancellationToken);
            for (var i = 0; i < toSend.Count; i++)
            {
                results.Add(Decide(toSend[i].Delivery, outcomes[i]));
            }
        }

        return results;
    }

    /// <summary>
    /// Novu charges a bulk call 100 tokens of the plan's rate whatever its size, and a single trigger one, so a
    /// full claim goes as one bulk call (one HTTP round trip for 100 events at the same cost) and a smaller one
    /// as single triggers in parallel. The choice depends only on the claim's members, so a taken-over claim
    /// is re-sent the same way under the same Idempotency-Keys (the bulk call's, derived from its members, or
    /// each trigger's, its transactionId) and Novu replays instead of delivering twice.
    /// </summary>
    private async Task<IReadOnlyList<NovuOutcome>> SendAsync(IReadOnlyList<TriggerRequest> requests, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (requests.Count >= NovuBulkSize)
        {
            var bulk = await novu.TriggerBulkAsync(requests, cancellationToken);
            XNovuTelemetry.NovuCallTime.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, XNovuTelemetry.Outcome("bulk"));
            return bulk;
        }

        using var gate = new SemaphoreSlim(options.Value.MaxParallelSends);
        var outcomes = await Task.WhenAll(requests.Select(async request =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return await novu.TriggerAsync(request, idempotencyKey: request.TransactionId, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }));
        XNovuTelemetry.NovuCallTime.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, XNovuTelemetry.Outcome("single"));
        return outcomes;
    }

    private async Task<TriggerRequest> BuildAsync(
        ClaimedDelivery delivery, ResolvedWorkflow? workflow, IReadOnlyDictionary<(Guid, string), NovuSubscriber> stored, CancellationToken cancellationToken)
    {
        if (workflow is null)
        {
            throw new DeliveryRejectedException($"Workflow '{delivery.WorkflowKey}' does not exist.");
        }

        if (!workflow.CanSend)
        {
            throw new DeliveryRejectedException($"Workflow '{delivery.WorkflowKey}' is not published or is deactivated.");
        }

        var inline = Subscriber(delivery)
            ?? throw new DeliveryRejectedException("The notification names no recipient and no default subscriber is configured.");
        var subscriber = SubscriberProfileStore.Merge(stored.GetValueOrDefault((delivery.EnterpriseId, inline.SubscriberId)), inline);
        using var payloadDocument = JsonDocument.Parse(delivery.Payload);
        var payload = payloadDocument.RootElement.Clone();
        var variables = new SubscriberVariables(
            subscriber.SubscriberId, subscriber.Email, subscriber.Phone, subscriber.FirstName, subscriber.LastName, subscriber.Locale, subscriber.Data)
        {
            Timezone = subscriber.Timezone,
            Avatar = subscriber.Avatar,
        };

        var rendered = new JsonObject();
        foreach (var channel in workflow.Channels)
        {
            if (delivery.Channels is { Length: > 0 } only && !only.Contains(channel.Channel.ToWireName(), StringComparer.Ordinal))
            {
                continue;
            }

            if (channel.Template is null)
            {
                throw new DeliveryRejectedException($"Channel {channel.Channel.ToWireName()} of workflow '{workflow.WorkflowKey}' has no published template.");
            }

            var renderStarted = Stopwatch.GetTimestamp();
            var result = await templates.RenderAsync(
                RenderRequest.For(channel.Template, delivery.EnterpriseId, payload, variables, new EnterpriseVariables(delivery.EnterpriseId, null)),
                cancellationToken);
            XNovuTelemetry.TemplateRenderTime.Record(
                Stopwatch.GetElapsedTime(renderStarted).TotalMilliseconds, XNovuTelemetry.Channel(channel.Channel.ToWireName()));
            rendered[channel.Channel.ToWireName()] = new JsonObject
            {
                ["subject"] = result.Subject,
                ["body"] = result.Body,
                ["text"] = result.Text,
            };
        }

        var novuPayload = payload.ValueKind == JsonValueKind.Object
            ? JsonNode.Parse(delivery.Payload)!.AsObject()
            : new JsonObject { ["value"] = JsonNode.Parse(delivery.Payload) };
        novuPayload[ReservedPayloadKey] = new JsonObject
        {
            ["notificationId"] = delivery.NotificationId,
            ["channels"] = rendered,
        };

        return new TriggerRequest
        {
            Name = delivery.WorkflowKey,
            To = [NovuRecipient.Of(subscriber)],
            TransactionId = delivery.TransactionId,
            Payload = JsonSerializer.SerializeToElement(novuPayload, Json),
            Overrides = delivery.Overrides is { } overrides ? JsonSerializer.Deserialize<JsonElement>(overrides) : null,
        };
    }

    private NovuSubscriber? Subscriber(ClaimedDelivery delivery)
    {
        if (delivery.Recipient is { } recipient && JsonSerializer.Deserialize<NovuSubscriber>(recipient, Json) is { SubscriberId.Length: > 0 } subscriber)
        {
            return subscriber;
        }

        return options.Value.DefaultSubscriberId is { Length: > 0 } fallback ? new NovuSubscriber { SubscriberId = fallback } : null;
    }

    private DeliveryResult Decide(ClaimedDelivery delivery, NovuOutcome outcome)
    {
        var now = time.GetUtcNow();
        var (decision, retryAt) = retryPolicy.Decide(outcome, delivery.Attempts, now, Random.Shared.NextDouble());
        switch (decision)
        {
            case DeliveryDecision.Sent:
                XNovuTelemetry.DeliveriesSent.Add(1, XNovuTelemetry.Workflow(delivery.WorkflowKey));
                return new DeliveryResult(delivery.DeliveryId, "sent", null, outcome.NovuStatus, null);
            case DeliveryDecision.Retry:
                LogRetry(logger, delivery.DeliveryId, delivery.Attempts, outcome.HttpStatus, retryAt);
                XNovuTelemetry.DeliveriesRetried.Add(1, XNovuTelemetry.Workflow(delivery.WorkflowKey));
                return new DeliveryResult(delivery.DeliveryId, "retry", retryAt, outcome.NovuStatus,
                    new DeliveryError(outcome.Message ?? "Retryable Novu answer", outcome.HttpStatus, outcome.NovuStatus, delivery.Attempts, now));
            default:
                return Fail(delivery, outcome.Message ?? "Novu refused the trigger", outcome.HttpStatus, outcome.NovuStatus);
        }
    }

    private DeliveryResult Fail(ClaimedDelivery delivery, string message, int? httpStatus, string? novuStatus)
    {
        LogFailed(logger, delivery.DeliveryId, delivery.NotificationId, message);
        XNovuTelemetry.DeliveriesFailed.Add(1, XNovuTelemetry.Workflow(delivery.WorkflowKey));
        return new DeliveryResult(delivery.DeliveryId, "failed", null, novuStatus,
            new DeliveryError(message, httpStatus, novuStatus, delivery.Attempts, time.GetUtcNow()));
    }

    private static ActivityContext? ParseContext(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context) ? context : null;

    [LoggerMessage(Level = LogLevel.Error, Message = "The subscriber profiles of a claimed batch could not be read")]
    private static partial void LogProfilesFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workflow {WorkflowKey} could not be resolved")]
    private static partial void LogResolveFailed(ILogger logger, Exception exception, string workflowKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery {DeliveryId} will be retried (attempt {Attempts}, HTTP {HttpStatus}) at {RetryAt}")]
    private static partial void LogRetry(ILogger logger, long deliveryId, int attempts, int? httpStatus, DateTimeOffset? retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} of notification {NotificationId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, long deliveryId, long notificationId, string reason);

    private sealed class DeliveryRejectedException(string message) : Exception(message);
}
