using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace XNovu.Api.Http;

/// <summary>
/// Turns what escapes a handler into problem details: unreadable bodies into a 400 that names the field,
/// oversized bodies into a 413, unique-key races into a 409, and anything else into a bare 500.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, type, title, detail, errors) = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (413, Problems.Types.PayloadTooLarge, "Payload too large", "The request body is larger than this endpoint accepts.", null),
            BadHttpRequestException { InnerException: JsonException json } =>
                (400, Problems.Types.MalformedRequest, "Malformed request", DescribeJson(json), FieldErrors(json)),
            BadHttpRequestException bad =>
                (bad.StatusCode, Problems.Types.MalformedRequest, "Malformed request", bad.Message, null),
            // The last line behind UnstorableTextMiddleware: text the database cannot hold is the caller's error.
            PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter } =>
                (400, Problems.Types.MalformedRequest, "Malformed request", "A value holds characters that cannot be stored (NUL or invalid Unicode).", null),
            PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } =>
                (409, Problems.Types.Conflict, "Conflict", "A resource with that key already exists.", null),
            PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } =>
                (409, Problems.Types.Conflict, "Conflict", "The resource is referenced by, or refers to, another resource.", null),
            _ => (500, Problems.Types.Internal, "Internal error", "The server could not complete the request.", (IDictionary<string, string[]>?)null),
        };

        if (status >= 500)
        {
            LogUnhandled(logger, exception, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        var problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors);
        problem.Status = status;
        problem.Type = type;
        problem.Title = title;
        problem.Detail = detail;

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static string DescribeJson(JsonException json) =>
        json.Path is { Length: > 0 } path
            ? $"The JSON value at '{path}' is malformed or of the wrong type."
            : "The request body is not valid JSON.";

    private static Dictionary<string, string[]>? FieldErrors(JsonException json) =>
        json.Path is { Length: > 0 } path
            ? new Dictionary<string, string[]> { [path.TrimStart('$', '.')] = ["is malformed or of the wrong type."] }
            : null;

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string path);
}
