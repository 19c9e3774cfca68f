using System.Net.Http.Headers;
using System.Text.Json;

namespace XNovu.Client.Http;

/// <summary>
/// Turns every error answer into one <see cref="XNovuProblemException"/>, whichever call it came from, so
/// callers catch one type and branch on the problem's <c>type</c>. It sits outside the retries, so it only
/// sees the answer that is final.
/// </summary>
internal sealed class ProblemHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static async Task<XNovuProblemException> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfter(response.Headers.RetryAfter);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
            {
                return new XNovuProblemException(
                    type.GetString()!,
                    Text(root, "title") ?? response.ReasonPhrase ?? "Error",
                    root.TryGetProperty("status", out var s) && s.TryGetInt32(out var parsed) ? parsed : status,
                    Text(root, "detail"),
                    Errors(root),
                    retryAfter);
            }
        }
        catch (JsonException)
        {
            // Not a problem document: fall through to a generic one that keeps the status.
        }

        return new XNovuProblemException(
            ProblemTypes.Unknown, response.ReasonPhrase ?? "Error", status, body.Length > 500 ? body[..500] : body,
            new Dictionary<string, string[]>(), retryAfter);
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, string[]> Errors(JsonElement root)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (root.TryGetProperty("errors", out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in map.EnumerateObject())
            {
                errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                    ? field.Value.EnumerateArray().Select(m => m.ToString()).ToArray()
                    : [field.Value.ToString()];
            }
        }

        return errors;
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header) =>
        header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
}
