using System.Net;
using System.Text.Json;

namespace XNovu.Console.Api;

/// <summary>
/// An answer other than success from the API, carried as its RFC 9457 problem: pages show its detail and, for a
/// validation problem, each field's messages (a Liquid fault's line and column among them).
/// </summary>
public sealed class ApiProblemException(int status, string title, string? detail, IReadOnlyDictionary<string, string[]> errors, TimeSpan? retryAfter = null)
    : Exception(detail ?? title)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>How long the API asked to wait, for 429 and 503.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool IsUnauthorized => Status == (int)HttpStatusCode.Unauthorized;

    /// <summary>Everything a person should read, one line per field error.</summary>
    public IEnumerable<string> Lines()
    {
        yield return Detail is { Length: > 0 } ? $"{Title}: {Detail}" : Title;
        foreach (var (field, messages) in Errors)
        {
            foreach (var message in messages)
            {
                yield return $"{field} {message}";
            }
        }
    }

    public static async Task<ApiProblemException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = response.Headers.RetryAfter?.Delta;
        string title = response.ReasonPhrase ?? $"HTTP {status}";
        string? detail = null;
        var errors = new Dictionary<string, string[]>();
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String)
            {
                title = t.GetString()!;
            }

            if (root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
            {
                detail = d.GetString();
            }

            if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in e.EnumerateObject())
                {
                    errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                        ? field.Value.EnumerateArray().Select(m => m.ToString()).ToArray()
                        : [field.Value.ToString()];
                }
            }
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's page, an empty body): the status line says enough.
        }

        return new ApiProblemException(status, title, detail, errors, retryAfter);
    }

    /// <summary>The API could not be reached at all: shown like the 503 it stands for.</summary>
    public static ApiProblemException Unreachable(Exception cause) => new(
        (int)HttpStatusCode.ServiceUnavailable,
        "The XNovu API is unavailable",
        $"Try again in a moment ({cause.GetType().Name}).",
        new Dictionary<string, string[]>());
}
