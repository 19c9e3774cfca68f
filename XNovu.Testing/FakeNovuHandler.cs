using System.Net;
using System.Text;

namespace XNovu.Testing;

/// <summary>Canned Novu answers, and a record of exactly what the client sent.</summary>
public sealed class FakeNovuHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    public FakeNovuHandler(Func<HttpRequestMessage, HttpResponseMessage> respond)
        : this((request, _) => Task.FromResult(respond(request)))
    {
    }

    public List<SentRequest> Requests { get; } = [];

    public static HttpResponseMessage Json(HttpStatusCode status, string json, Action<HttpResponseMessage>? headers = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        headers?.Invoke(response);
        return response;
    }

    public static HttpResponseMessage Processed(string transactionId = "tx-1") =>
        Json(HttpStatusCode.Created, $$$"""{"data":{"acknowledged":true,"status":"processed","transactionId":"{{{transactionId}}}"}}""");

    public static HttpResponseMessage Error(int status, string message = "nope") =>
        Json((HttpStatusCode)status, $$"""{"statusCode":{{status}},"timestamp":"2026-01-01T00:00:00Z","path":"/v1/events/trigger","message":"{{message}}"}""");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add(new SentRequest(
                request.Method,
                request.RequestUri!,
                request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
                request.Content?.Headers.ContentType?.MediaType,
                body));
        }

        return await respond(request, cancellationToken);
    }
}

public sealed record SentRequest(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string? ContentType, string? Body);
