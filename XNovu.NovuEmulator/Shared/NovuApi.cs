using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace XNovu.NovuEmulator.Shared;

/// <summary>What the emulated Novu routes share: their prefix, the envelope, the error body.</summary>
public static class NovuApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static bool IsNovuRoute(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments("/v2");

    public static bool IsTrigger(HttpRequest request) =>
        HttpMethods.IsPost(request.Method)
        && (request.Path.Equals("/v1/events/trigger", StringComparison.OrdinalIgnoreCase)
            || request.Path.Equals("/v1/events/trigger/bulk", StringComparison.OrdinalIgnoreCase));

    public static bool IsBulkTrigger(HttpRequest request) =>
        IsTrigger(request) && request.Path.Equals("/v1/events/trigger/bulk", StringComparison.OrdinalIgnoreCase);

    /// <summary>Novu wraps every answer in <c>{"data": ...}</c>.</summary>
    public static IResult Data(object? data, int statusCode = StatusCodes.Status200OK) =>
        Results.Json(new { data }, Json, statusCode: statusCode);

    /// <summary>Novu's error body: <c>{statusCode, timestamp, path, message, errors?}</c>.</summary>
    public static IResult Error(HttpContext context, int statusCode, string message, JsonObject? errors = null) =>
        Results.Json(ErrorBody(context, statusCode, message, errors), Json, statusCode: statusCode);

    public static Task WriteErrorAsync(HttpContext context, int statusCode, string message, JsonObject? errors = null)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(ErrorBody(context, statusCode, message, errors), Json);
    }

    /// <summary>A 422 in the shape of Novu's validation errors: field → {messages, value}.</summary>
    public static IResult ValidationError(HttpContext context, IReadOnlyList<FieldError> failures)
    {
        var errors = new JsonObject();
        foreach (var group in failures.GroupBy(f => f.Field))
        {
            errors[group.Key] = new JsonObject
            {
                ["messages"] = new JsonArray([.. group.Select(f => (JsonNode?)JsonValue.Create(f.Message))]),
                ["value"] = group.First().Value?.DeepClone(),
            };
        }

        return Error(context, StatusCodes.Status422UnprocessableEntity, "Validation Error", errors);
    }

    /// <summary>Reads the body as a JSON object; null when it is not one.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static NovuErrorBody ErrorBody(HttpContext context, int statusCode, string message, JsonObject? errors)
    {
        var time = context.RequestServices.GetRequiredService<TimeProvider>();
        return new NovuErrorBody(statusCode, time.GetUtcNow(), $"{context.Request.Path}{context.Request.QueryString}", message, errors);
    }
}

public sealed record FieldError(string Field, string Message, JsonNode? Value = null);

public sealed record NovuErrorBody(int StatusCode, DateTimeOffset Timestamp, string Path, string Message, JsonObject? Errors);

public static class JsonNodeExtensions
{
    public static string? AsString(this JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
