using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using XNovu.Core.Templates;

namespace XNovu.Api.Http;

/// <summary>
/// Turns what escapes a handler into problem details: unreadable bodies into a 400 that names the field,
/// oversized bodies into a 413, unique-key races into a 409, an enterprise over its share of rendering (a preview, a
/// template's check at save) into a 429 with Retry-After, a database that does not answer into a 503 with Retry-After, and anything
/// else into a bare 500.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    /// <summary>PostgreSQL crash recovery or a failover usually completes within a few seconds.</summary>
    private const string RetryAfterSeconds = "5";

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
            RenderThrottledException =>
                (429, Problems.Types.RateLimited, "Too many requests", exception.Message, null),
            _ when IsDatabaseUnavailable(exception) =>
                (503, Problems.Types.Unavailable, "Service unavailable", "The database does not answer at the moment; nothing was changed. Try again shortly.", null),
            _ => (500, Problems.Types.Internal, "Internal error", "The server could not complete the request.", (IDictionary<string, string[]>?)null),
        };

        if (exception is RenderThrottledException throttled)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(throttled.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status == StatusCodes.Status503ServiceUnavailable)
        {
            LogDatabaseUnavailable(logger, exception.GetType().Name, httpContext.Request.Path);
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
        }
        else if (status >= 500)
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

    /// <summary>
    /// PostgreSQL down, restarting or out of connections: a session killed by a crash (57P01-57P03), a
    /// connection that cannot be made or was cut (08xxx, sockets, I/O), an exhausted pool or a timeout; or, during a
    /// failover, a server that is (still, or again) a standby refusing a write (25006), as one reached through a
    /// pooler or an address that has not moved to the new primary yet is. No primary among the hosts is an
    /// <see cref="NpgsqlException"/>. The request may be repeated as it was; a transaction that did not commit wrote nothing.
    /// </summary>
    internal static bool IsDatabaseUnavailable(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient
            || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState == PostgresErrorCodes.TooManyConnections
            || postgres.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction,
        NpgsqlException => true,
        System.Net.Sockets.SocketException or TimeoutException => true,
        InvalidOperationException or IOException or AggregateException when exception.InnerException is { } inner => IsDatabaseUnavailable(inner),
        _ => false,
    };

    private static string DescribeJson(JsonException json) =>
        json.Path is { Length: > 0 } path
            ? $"The JSON value at '{path}' is malformed or of the wrong type."
            : "The request body is not valid JSON.";

    private static Dictionary<string, string[]>? FieldErrors(JsonException json) =>
        json.Path is { Length: > 0 } path
            ? new Dictionary<string, string[]> { [path.TrimStart('$', '.')] = ["is malformed or of the wrong type."] }
            : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable ({ExceptionType}) on {Path}: answered 503")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string exceptionType, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string path);
}
