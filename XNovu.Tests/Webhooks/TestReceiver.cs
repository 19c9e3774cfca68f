using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace XNovu.Tests.Webhooks;

/// <summary>One request a <see cref="TestReceiver"/> got, and what it answered.</summary>
public sealed record ReceivedWebhook(string Path, string Id, string Timestamp, string Signature, string Body, int Answered);

/// <summary>
/// A tenant's webhook endpoint on loopback, in the test process: each path answers from its own script (a list of
/// status codes, the last repeated), 503 with <c>Retry-After: 1</c>; everything received is kept.
/// </summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _scripts = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public TestReceiver()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>The URL of a path that answers <paramref name="statuses"/> in turn, then the last one for ever.</summary>
    public string Url(string path, params int[] statuses)
    {
        _scripts[path] = new ConcurrentQueue<int>(statuses.Length == 0 ? [204] : statuses);
        return $"http://127.0.0.1:{Port}/{path}";
    }

    public IReadOnlyList<ReceivedWebhook> At(string path) => Received.Where(r => r.Path == path).ToList();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                var path = context.Request.Url!.AbsolutePath.Trim('/');
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                var status = 404;
                if (_scripts.TryGetValue(path, out var script))
                {
                    status = script.Count > 1 && script.TryDequeue(out var next) ? next : script.TryPeek(out var last) ? last : 204;
                }

                Received.Enqueue(new ReceivedWebhook(path, context.Request.Headers["webhook-id"] ?? string.Empty,
                    context.Request.Headers["webhook-timestamp"] ?? string.Empty, context.Request.Headers["webhook-signature"] ?? string.Empty, body, status));
                context.Response.StatusCode = status;
                if (status == 503)
                {
                    context.Response.Headers["Retry-After"] = "1";
                }

                context.Response.Close();
            });
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }
}
