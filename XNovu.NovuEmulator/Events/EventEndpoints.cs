using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using XNovu.NovuEmulator.Faults;
using XNovu.NovuEmulator.Shared;
using XNovu.NovuEmulator.Subscribers;
using XNovu.NovuEmulator.Workflows;

namespace XNovu.NovuEmulator.Events;

/// <summary>A trigger answer: <c>{acknowledged, status, transactionId, error?}</c>.</summary>
public sealed record TriggerAnswer(bool Acknowledged, string Status, string TransactionId, IReadOnlyList<string>? Error = null);

/// <summary>
/// Trigger, bulk trigger and cancel. Validation follows Novu's DTO checks: a missing or empty <c>name</c>
/// or <c>to</c>, more than 100 recipients, more than 100 bulk events or an unknown workflow is a 422 for the
/// whole request; a payload over 512 KB is a 413; a body that is not JSON is a 400. An inactive workflow
/// answers 201 with <c>trigger_not_active</c>, one without channel steps <c>no_workflow_steps_defined</c>,
/// and neither records an event.
/// </summary>
public static class EventEndpoints
{
    public const string Processed = "processed";
    public const int MaxBulkEvents = 100;

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/events/trigger").WithTags("Events");
        group.MapPost("/", TriggerAsync);
        group.MapPost("/bulk", BulkAsync);
        group.MapDelete("/{transactionId}", (string transactionId, EventStore events) => NovuApi.Data(events.Cancel(transactionId)));
        return routes;
    }

    private static async Task<IResult> TriggerAsync(HttpContext context, Recorder recorder, CancellationToken ct)
    {
        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        if (body is null)
        {
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Request body must be a JSON object");
        }

        var errors = new List<FieldError>();
        var trigger = TriggerParser.Parse(body, string.Empty, errors, out var tooLarge);
        if (Reject(context, recorder, errors, tooLarge, trigger is null ? [] : [trigger]) is { } rejection)
        {
            return rejection;
        }

        return NovuApi.Data(recorder.Record(context, trigger!, viaBulk: false), StatusCodes.Status201Created);
    }

    private static async Task<IResult> BulkAsync(HttpContext context, Recorder recorder, CancellationToken ct)
    {
        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        if (body is null)
        {
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Request body must be a JSON object");
        }

        if (body["events"] is not JsonArray events)
        {
            return NovuApi.ValidationError(context, [new FieldError("events", "events must be an array", body["events"])]);
        }

        // Novu validates the bulk DTO as a whole: one bad event or too many rejects every event.
        if (events.Count > MaxBulkEvents)
        {
            return NovuApi.ValidationError(context, [new FieldError("events", $"events must contain no more than {MaxBulkEvents} elements")]);
        }

        var errors = new List<FieldError>();
        var triggers = new List<ParsedTrigger>();
        var tooLarge = false;
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is not JsonObject item)
            {
                errors.Add(new FieldError($"events.{i}", "each event must be an object"));
                continue;
            }

            if (TriggerParser.Parse(item, $"events.{i}.", errors, out var large) is { } trigger)
            {
                triggers.Add(trigger);
            }

            tooLarge |= large;
        }

        if (Reject(context, recorder, errors, tooLarge, triggers) is { } rejection)
        {
            return rejection;
        }

        return NovuApi.Data(triggers.Select(t => recorder.Record(context, t, viaBulk: true)).ToList(), StatusCodes.Status201Created);
    }

    private static IResult? Reject(HttpContext context, Recorder recorder, List<FieldError> errors, bool tooLarge, IReadOnlyList<ParsedTrigger> triggers)
    {
        if (errors.Count > 0)
        {
            return NovuApi.ValidationError(context, errors);
        }

        if (tooLarge)
        {
            return NovuApi.Error(context, StatusCodes.Status413PayloadTooLarge,
                $"payload exceeds the maximum size of {TriggerParser.MaxPayloadBytes / 1024} KB");
        }

        var unknown = triggers.Select(t => t.Name).FirstOrDefault(recorder.IsUnknownWorkflow);
        return unknown is null
            ? null
            : NovuApi.Error(context, StatusCodes.Status422UnprocessableEntity, $"workflow_not_found: workflow '{unknown}' was not found");
    }

    /// <summary>Turns an accepted trigger into an answer and, when processed, a recorded event.</summary>
    public sealed class Recorder(
        EventStore events, SubscriberStore subscribers, WorkflowStore workflows, IOptionsMonitor<NovuEmulatorOptions> options, TimeProvider time,
        Webhooks.WebhookSender webhooks, Messages.MessageStore messages, Webhooks.WebhookSettings webhookSettings)
    {
        public const string TriggerNotActive = "trigger_not_active";
        public const string NoStepsDefined = "no_workflow_steps_defined";

        /// <summary>As Novu: only a workflow of this environment exists, unless told to accept any name.</summary>
        public bool IsUnknownWorkflow(string name) =>
            options.CurrentValue.UnknownWorkflows.Contains(name, StringComparer.Ordinal)
            || (!options.CurrentValue.AcceptUnknownWorkflows && workflows.Get(name) is null);

        public TriggerAnswer Record(HttpContext context, ParsedTrigger trigger, bool viaBulk)
        {
            var transactionId = trigger.TransactionId ?? Guid.NewGuid().ToString();

            // An injected non-processed status stands for a workflow that did nothing: no event.
            if (context.InjectedNovuStatus() is { } status)
            {
                return new TriggerAnswer(true, status, transactionId, [$"Emulated fault: {status}"]);
            }

            // A repeat of a transactionId is acknowledged and ignored: no subscriber upsert, no event, no message.
            if (events.Seen(transactionId))
            {
                return Ignore(context, transactionId, viaBulk);
            }

            var workflow = workflows.Get(trigger.Name);
            if (workflow is { Active: false })
            {
                return new TriggerAnswer(true, TriggerNotActive, transactionId, [$"Workflow {trigger.Name} is not active"]);
            }

            if (workflow is { Steps.Count: 0 })
            {
                return new TriggerAnswer(true, NoStepsDefined, transactionId, [$"Workflow {trigger.Name} has no steps"]);
            }

            // Novu creates or updates the subscribers a trigger names.
            foreach (var id in trigger.SubscriberIds)
            {
                subscribers.Upsert(id, null, out _);
            }

            foreach (var inline in trigger.InlineSubscribers)
            {
                subscribers.Upsert(inline["subscriberId"].AsString()!, inline, out _);
            }

            // Steps run per event with its first subscriber, as the content XNovu sends is the same for each.
            var firstSubscriber = trigger.SubscriberIds.Count > 0 && subscribers.Get(trigger.SubscriberIds[0]) is { } known
                ? System.Text.Json.JsonSerializer.SerializeToNode(known, NovuApi.Json)
                : null;
            var steps = workflow is null ? null : StepRunner.Run(workflow, trigger.Payload, firstSubscriber, trigger.Overrides);
            if (workflow is not null)
            {
                workflows.Touch(workflow.WorkflowId);
            }

            var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString();
            var recorded = events.Add(transactionId, sequence => new ReceivedEvent
            {
                Sequence = sequence,
                ReceivedAt = time.GetUtcNow(),
                Workflow = trigger.Name,
                To = trigger.To.DeepClone(),
                SubscriberIds = trigger.SubscriberIds,
                Payload = trigger.Payload?.DeepClone(),
                Overrides = trigger.Overrides?.DeepClone(),
                Actor = trigger.Actor?.DeepClone(),
                Tenant = trigger.Tenant?.DeepClone(),
                TransactionId = transactionId,
                IdempotencyKey = string.IsNullOrEmpty(idempotencyKey) ? null : idempotencyKey,
                TraceParent = context.Request.Headers["traceparent"].ToString() is { Length: > 0 } traceParent ? traceParent : null,
                ViaBulk = viaBulk,
                Steps = steps,
            });
            if (recorded is null)
            {
                // The same transactionId raced in on another call, which won.
                return Ignore(context, transactionId, viaBulk);
            }

            // Novu works the event into messages and reports each one's fate through its webhooks and its messages API.
            webhooks.EventRecorded(recorded, messages.Record(recorded, webhookSettings.Has(Webhooks.WebhookFaults.ProviderFailure)));
            return new TriggerAnswer(true, Processed, transactionId);
        }

        private TriggerAnswer Ignore(HttpContext context, string transactionId, bool viaBulk)
        {
            var key = context.Request.Headers["Idempotency-Key"].ToString();
            events.Ignored(new IgnoredTrigger(transactionId, time.GetUtcNow(), key.Length == 0 ? null : key, viaBulk));
            return new TriggerAnswer(true, Processed, transactionId);
        }
    }
}
