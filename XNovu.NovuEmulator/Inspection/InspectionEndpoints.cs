using XNovu.NovuEmulator.Events;
using XNovu.NovuEmulator.Faults;
using XNovu.NovuEmulator.Idempotency;
using XNovu.NovuEmulator.RateLimiting;
using XNovu.NovuEmulator.Subscribers;

namespace XNovu.NovuEmulator.Inspection;

/// <summary>
/// The emulator's own API (no auth). <c>DELETE /emulator/events</c> forgets events only: idempotency
/// records, subscribers, faults and the request log stay, as they would in Novu. <c>DELETE /emulator/state</c>
/// forgets everything but the workflows (the environment's configuration, which XNovu syncs and would only create
/// again) and refills the rate-limit bucket.
/// </summary>
public static class InspectionEndpoints
{
    public static IEndpointRouteBuilder MapInspection(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/emulator").WithTags("Emulator");
        group.MapGet("/events", (EventStore events, string? workflow, string? subscriberId, string? transactionId) =>
            TypedResults.Ok(events.List(workflow, subscriberId, transactionId)));
        group.MapGet("/events/ignored", (EventStore events) => TypedResults.Ok(events.ListIgnored()));
        group.MapDelete("/events", (EventStore events) =>
        {
            events.Clear();
            return TypedResults.NoContent();
        });
        group.MapGet("/requests", (RequestLog log) => TypedResults.Ok(log.List()));
        group.MapDelete("/requests", (RequestLog log) =>
        {
            log.Clear();
            return TypedResults.NoContent();
        });
        group.MapDelete("/state", (EventStore events, RequestLog log, IdempotencyStore idempotency,
            SubscriberStore subscribers, PreferenceStore preferences, FaultStore faults, TriggerRateLimiter limiter, Messages.MessageStore messages) =>
        {
            events.Clear();
            messages.Clear();
            log.Clear();
            idempotency.Clear();
            subscribers.Clear();
            preferences.Clear();
            faults.Clear();
            limiter.Reset();
            return TypedResults.NoContent();
        });
        return routes;
    }
}
