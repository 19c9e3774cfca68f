using System.Text.Json.Nodes;
using XNovu.NovuEmulator.Shared;

namespace XNovu.NovuEmulator.Subscribers;

/// <summary>Both generations of Novu's subscriber routes; the v2 ones are what current SDKs call.</summary>
public static class SubscriberEndpoints
{
    public const int MaxBulkSubscribers = 500;

    public static IEndpointRouteBuilder MapSubscribers(this IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1/subscribers").WithTags("Subscribers v1");
        v1.MapPost("/", (HttpContext context, SubscriberStore store, CancellationToken ct) => UpsertAsync(context, store, failIfExists: false, ct));
        v1.MapPost("/bulk", BulkAsync);
        v1.MapGet("/{subscriberId}", Get);
        v1.MapPut("/{subscriberId}", UpdateAsync);
        v1.MapDelete("/{subscriberId}", Delete);

        var v2 = routes.MapGroup("/v2/subscribers").WithTags("Subscribers v2");
        v2.MapPost("/", (HttpContext context, SubscriberStore store, bool? failIfExists, CancellationToken ct) =>
            UpsertAsync(context, store, failIfExists ?? false, ct));
        v2.MapGet("/{subscriberId}", Get);
        v2.MapPatch("/{subscriberId}", UpdateAsync);
        v2.MapDelete("/{subscriberId}", Delete);
        return routes;
    }

    private static async Task<IResult> UpsertAsync(HttpContext context, SubscriberStore store, bool failIfExists, CancellationToken ct)
    {
        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        if (body is null)
        {
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Request body must be a JSON object");
        }

        var subscriberId = body["subscriberId"].AsString();
        if (string.IsNullOrWhiteSpace(subscriberId))
        {
            return NovuApi.ValidationError(context, [new FieldError("subscriberId", "subscriberId should not be empty", body["subscriberId"])]);
        }

        if (failIfExists && store.Get(subscriberId) is not null)
        {
            return NovuApi.Error(context, StatusCodes.Status409Conflict, $"Subscriber with subscriberId: {subscriberId} already exists");
        }

        var subscriber = store.Upsert(subscriberId, body, out _);
        return NovuApi.Data(subscriber, StatusCodes.Status201Created);
    }

    private static async Task<IResult> BulkAsync(HttpContext context, SubscriberStore store, CancellationToken ct)
    {
        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        if (body?["subscribers"] is not JsonArray subscribers)
        {
            return NovuApi.ValidationError(context, [new FieldError("subscribers", "subscribers must be an array")]);
        }

        if (subscribers.Count > MaxBulkSubscribers)
        {
            return NovuApi.ValidationError(context, [new FieldError("subscribers", $"subscribers must contain no more than {MaxBulkSubscribers} elements")]);
        }

        var created = new List<object>();
        var updated = new List<object>();
        var failed = new List<object>();
        foreach (var item in subscribers)
        {
            var subscriberId = (item as JsonObject)?["subscriberId"].AsString();
            if (string.IsNullOrWhiteSpace(subscriberId))
            {
                failed.Add(new { message = "subscriberId should not be empty", subscriberId });
                continue;
            }

            store.Upsert(subscriberId, (JsonObject)item!, out var isNew);
            (isNew ? created : updated).Add(new { subscriberId });
        }

        return NovuApi.Data(new { updated, created, failed }, StatusCodes.Status201Created);
    }

    private static IResult Get(HttpContext context, SubscriberStore store, string subscriberId) =>
        store.Get(subscriberId) is { } subscriber ? NovuApi.Data(subscriber) : NotFound(context, subscriberId);

    private static async Task<IResult> UpdateAsync(HttpContext context, SubscriberStore store, string subscriberId, CancellationToken ct)
    {
        var body = await NovuApi.ReadObjectAsync(context.Request, ct);
        if (body is null)
        {
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Request body must be a JSON object");
        }

        return store.Update(subscriberId, body) is { } subscriber ? NovuApi.Data(subscriber) : NotFound(context, subscriberId);
    }

    private static IResult Delete(HttpContext context, SubscriberStore store, PreferenceStore preferences, string subscriberId)
    {
        if (!store.Delete(subscriberId))
        {
            return NotFound(context, subscriberId);
        }

        // A subscriber created again under the same id starts with no choices, as in Novu.
        preferences.Forget(subscriberId);
        return NovuApi.Data(new { acknowledged = true, status = "deleted" });
    }

    private static IResult NotFound(HttpContext context, string subscriberId) =>
        NovuApi.Error(context, StatusCodes.Status404NotFound, $"Subscriber '{subscriberId}' was not found");
}
