using System.Net;

namespace XNovu.Client;

/// <summary>
/// What XNovu answered instead of success: its RFC 9457 problem, with the stable <see cref="Type"/> to branch
/// on (<see cref="ProblemTypes"/>), and for 400 and 422 the failing fields in <see cref="Errors"/>.
/// </summary>
public sealed class XNovuProblemException : Exception
{
    public XNovuProblemException(
        string type, string title, int status, string? detail, IReadOnlyDictionary<string, string[]> errors, TimeSpan? retryAfter)
        : base($"{status} {title}: {detail ?? type}")
    {
        Type = type;
        Title = title;
        Status = status;
        Detail = detail;
        Errors = errors;
        RetryAfter = retryAfter;
    }

    public XNovuProblemException()
        : this(ProblemTypes.Unknown, "Unknown problem", 0, null, new Dictionary<string, string[]>(), null)
    {
    }

    public XNovuProblemException(string message)
        : base(message)
    {
        Type = ProblemTypes.Unknown;
        Title = message;
        Errors = new Dictionary<string, string[]>();
    }

    public XNovuProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Type = ProblemTypes.Unknown;
        Title = message;
        Errors = new Dictionary<string, string[]>();
    }

    /// <summary>The stable problem type, e.g. <c>https://xnovu.dev/problems/validation</c>.</summary>
    public string Type { get; }

    public string Title { get; }

    public int Status { get; }

    public HttpStatusCode StatusCode => (HttpStatusCode)Status;

    public string? Detail { get; }

    /// <summary>Field name to its messages; empty when the problem is not about fields.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The server's <c>Retry-After</c> on a 429 or 503 that was still refused after the retries.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>The problem types XNovu answers.</summary>
public static class ProblemTypes
{
    private const string Base = "https://xnovu.dev/problems/";

    public const string MalformedRequest = Base + "malformed-request";
    public const string Validation = Base + "validation";
    public const string NotFound = Base + "not-found";
    public const string Conflict = Base + "conflict";
    public const string Unauthorized = Base + "unauthorized";
    public const string Forbidden = Base + "forbidden";
    public const string PayloadTooLarge = Base + "payload-too-large";
    public const string RateLimited = Base + "rate-limited";
    public const string Unavailable = Base + "unavailable";
    public const string Internal = Base + "internal";

    /// <summary>An error answer that was not a problem document (a proxy's page, say).</summary>
    public const string Unknown = "about:blank";
}
