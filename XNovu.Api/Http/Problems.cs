using Microsoft.AspNetCore.Http.HttpResults;

namespace XNovu.Api.Http;

/// <summary>
/// Every error leaves as RFC 9457 problem details with a stable <c>type</c> per kind, so clients can
/// branch on the type rather than on prose. No stack trace or SQL ever goes into one.
/// </summary>
public static class Problems
{
    private const string Base = "https://xnovu.dev/problems/";

    public static class Types
    {
        public const string MalformedRequest = Base + "malformed-request";
        public const string Validation = Base + "validation";
        public const string NotFound = Base + "not-found";
        public const string Conflict = Base + "conflict";
        public const string Unauthorized = Base + "unauthorized";
        public const string Forbidden = Base + "forbidden";
        public const string EnterpriseDeactivated = Base + "enterprise-deactivated";
        public const string PayloadTooLarge = Base + "payload-too-large";

        /// <summary>The Novu event a trigger would make is over Novu's limit (413, naming the channel).</summary>
        public const string NovuEventTooLarge = Base + "novu-event-too-large";
        public const string RateLimited = Base + "rate-limited";
        public const string Unavailable = Base + "unavailable";
        public const string Internal = Base + "internal";
    }

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found", type: Types.NotFound);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", type: Types.Conflict);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", type: Types.Forbidden);

    public static ProblemHttpResult Malformed(string detail, IDictionary<string, string[]>? errors = null) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors ?? new Dictionary<string, string[]>())
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Malformed request",
            Type = Types.MalformedRequest,
            Detail = detail,
        });

    /// <summary>A well-formed request that breaks a rule: 422 with the failing fields.</summary>
    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "Validation failed",
            Type = Types.Validation,
            Detail = detail ?? "One or more fields are invalid.",
        });

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Collects field errors while a request is validated.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public ValidationErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    public ValidationErrors Require(string? value, string field, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required.");
        }
        else if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters.");
        }

        return this;
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public ProblemHttpResult ToProblem() => Problems.Validation(ToDictionary());
}

/// <summary>
/// Gives the problems that the framework writes by itself (an empty 404, a 413 from the body limit, a 405)
/// the same stable types as ours, instead of links to the HTTP specification.
/// </summary>
public static class FrameworkProblems
{
    public static void Customize(ProblemDetailsOptions options) =>
        options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (problem.Type is not null && problem.Type.StartsWith("https://xnovu.dev/", StringComparison.Ordinal))
            {
                return;
            }

            problem.Type = problem.Status switch
            {
                StatusCodes.Status400BadRequest => Problems.Types.MalformedRequest,
                StatusCodes.Status401Unauthorized => Problems.Types.Unauthorized,
                StatusCodes.Status403Forbidden => Problems.Types.Forbidden,
                StatusCodes.Status404NotFound => Problems.Types.NotFound,
                StatusCodes.Status409Conflict => Problems.Types.Conflict,
                StatusCodes.Status413PayloadTooLarge => Problems.Types.PayloadTooLarge,
                StatusCodes.Status422UnprocessableEntity => Problems.Types.Validation,
                StatusCodes.Status429TooManyRequests => Problems.Types.RateLimited,
                StatusCodes.Status503ServiceUnavailable => Problems.Types.Unavailable,
                >= 500 => Problems.Types.Internal,
                _ => problem.Type,
            };
        };
}
