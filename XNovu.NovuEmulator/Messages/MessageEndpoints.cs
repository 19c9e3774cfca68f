using System.Globalization;
using System.Text.Json.Nodes;
using XNovu.NovuEmulator.Shared;

namespace XNovu.NovuEmulator.Messages;

/// <summary>
/// <c>GET /v1/messages</c> as Novu answers it (MessagesController.getMessages): filtered by <c>channel</c>,
/// <c>subscriberId</c> and any number of <c>transactionId</c>, paged by <c>page</c> (from 0) and <c>limit</c>
/// (default 10, at most 1,000: over it Novu answers 400), newest first, answered <c>{page, totalCount, hasMore,
/// pageSize, data}</c> without the usual <c>data</c> envelope, since the page already has one; <c>hasMore</c> is
/// Novu's <c>page * limit + data.length &lt; totalCount</c>. A page or limit that is not a number is Novu's 422
/// validation error.
/// </summary>
public static class MessageEndpoints
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapMessages(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/messages", List).WithTags("Messages");
        return routes;
    }

    private static IResult List(HttpContext context, MessageStore messages, TimeProvider time)
    {
        var query = context.Request.Query;
        var errors = new List<FieldError>();
        var page = Number(query, "page", 0, errors);
        var limit = Number(query, "limit", DefaultLimit, errors);
        if (errors.Count > 0)
        {
            return NovuApi.ValidationError(context, errors);
        }

        if (limit > MaxLimit)
        {
            // Novu's own words (GetMessages), a 400 rather than a validation error.
            return NovuApi.Error(context, StatusCodes.Status400BadRequest, "Limit can not be larger then 1000");
        }

        var transactionIds = query["transactionId"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToList();
        var subscriberId = query["subscriberId"].ToString() is { Length: > 0 } s ? s : null;
        var channel = query["channel"].ToString() is { Length: > 0 } c ? c : null;
        var found = messages.List(transactionIds, subscriberId, channel);
        var now = time.GetUtcNow();
        var data = new JsonArray([.. found.Skip(page * limit).Take(limit).Select(m => (JsonNode)m.ToJson(done: m.DoneAt <= now, listed: true))]);
        return Results.Json(new JsonObject
        {
            ["page"] = page,
            ["totalCount"] = found.Count,
            ["hasMore"] = (long)page * limit + data.Count < found.Count,
            ["pageSize"] = limit,
            ["data"] = data,
        }, NovuApi.Json);
    }

    private static int Number(IQueryCollection query, string name, int fallback, List<FieldError> errors)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0)
        {
            return value;
        }

        errors.Add(new FieldError(name, $"{name} must be a number conforming to the specified constraints", JsonValue.Create(text)));
        return fallback;
    }
}
