using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;

namespace XNovu.Api.Events;

/// <summary>
/// <c>POST /api/events</c>: fires the enterprise's EVENT rules that listen to the event's name, each with its own
/// payload overlaid by the event's, and answers 202 with the notifications created (none when no rule listens).
/// </summary>
public static class EventEndpoints
{
    public const int MaxNameLength = 200;

    public static RouteGroupBuilder MapEventEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/events").WithTags("Events").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        group.MapPost("/", FireAsync);
        return group;
    }

    public static IHostApplicationBuilder AddXNovuEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EventStore>();
        return builder;
    }

    private static async Task<Results<Accepted<EventAccepted>, ProblemHttpResult>> FireAsync(
        EventRequest request, HttpContext http, EventStore store, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors().Require(request.Name, "name", MaxNameLength);
        if (request.Payload is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            errors.Add("payload", "must be an object.");
        }

        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var name = request.Name!.Trim();
        var payload = request.Payload is { ValueKind: JsonValueKind.Object } value ? JsonNode.Parse(value.GetRawText())!.AsObject() : null;
        var created = await store.FireAsync(http.User.EnterpriseId(), name, payload, cancellationToken);
        return TypedResults.Accepted((string?)null, new EventAccepted(name, created));
    }
}
