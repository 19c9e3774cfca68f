using Microsoft.Extensions.Primitives;
using XNovu.Core.Validation;

namespace XNovu.Api.Http;

/// <summary>
/// Marks an endpoint that checks the text of its body item by item (the bulk trigger: one bad event is that
/// event's 400, not the whole call's), so the middleware leaves the body to it.
/// </summary>
public sealed class ChecksBodyTextPerItem;

/// <summary>
/// Refuses, before any handler runs, a request whose route values, query values, Idempotency-Key or JSON body
/// hold text PostgreSQL cannot store (NUL) or that is not Unicode (unpaired surrogates, invalid UTF-8): a 400
/// naming the field, for every endpoint at once, instead of a 500 from the database in whichever handler
/// forgot to check. Runs after authentication, so an anonymous caller's body is never read.
/// </summary>
internal sealed class UnstorableTextMiddleware(RequestDelegate next)
{
    private static readonly string[] CheckedHeaders = ["Idempotency-Key"];

    public async Task InvokeAsync(HttpContext context)
    {
        var fault = RouteFault(context) ?? QueryFault(context.Request) ?? HeaderFault(context.Request) ?? await BodyFaultAsync(context);
        if (fault is null)
        {
            await next(context);
            return;
        }

        await Problems.Malformed(
                $"'{fault.Field}' {fault.Message}",
                new Dictionary<string, string[]> { [fault.Field] = [fault.Message] })
            .ExecuteAsync(context);
    }

    private static TextFault? RouteFault(HttpContext context)
    {
        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text && TextSafety.Explain(text) is { } message)
            {
                return new TextFault(name, message);
            }
        }

        return null;
    }

    private static TextFault? QueryFault(HttpRequest request)
    {
        foreach (var (name, values) in request.Query)
        {
            if (TextSafety.Explain(name) is { } nameMessage)
            {
                return new TextFault("query", nameMessage);
            }

            if (Explain(values) is { } message)
            {
                return new TextFault(name, message);
            }
        }

        return null;
    }

    /// <summary>Only headers whose value is stored; control characters there would break logs and lookups too.</summary>
    private static TextFault? HeaderFault(HttpRequest request)
    {
        foreach (var name in CheckedHeaders)
        {
            if (request.Headers.TryGetValue(name, out var values)
                && (Explain(values) ?? (values.Any(v => v is not null && v.Any(char.IsControl)) ? "must not contain control characters." : null)) is { } message)
            {
                return new TextFault(name, message);
            }
        }

        return null;
    }

    private static string? Explain(StringValues values)
    {
        foreach (var value in values)
        {
            if (TextSafety.Explain(value) is { } message)
            {
                return message;
            }
        }

        return null;
    }

    private static async Task<TextFault?> BodyFaultAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasJsonContentType() || request.ContentLength is 0
            || context.GetEndpoint()?.Metadata.GetMetadata<ChecksBodyTextPerItem>() is not null)
        {
            return null;
        }

        // Buffered, so the endpoint reads the same body; reading past the body limit throws the usual 413.
        request.EnableBuffering();
        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy, context.RequestAborted);
        request.Body.Position = 0;
        return TextSafety.Scan(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    }
}
