using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace XNovu.Testing.ProductionRun;

/// <summary>The production-shaped run's HTTP: waiting for readiness, and calls with a bearer key.</summary>
internal static class RunHttp
{
    /// <summary>
    /// How long a started service may take to answer /health: a cold .NET start on two cores shared with other
    /// builds and runs took over 90 s (issue 31's runs, load average 40-70).
    /// </summary>
    private const int ReadyTimeoutSeconds = 240;

    public static async Task WaitReadyAsync(HttpClient http, IEnumerable<KeyValuePair<string, string>> services, List<RunProcess> processes, string directory, CancellationToken token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(ReadyTimeoutSeconds);
        foreach (var (name, url) in services)
        {
            string? last = null;
            while (true)
            {
                try
                {
                    using var answer = await http.GetAsync($"{url}/health", token);
                    if (answer.StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }

                    last = $"{(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(token)}";
                }
                catch (HttpRequestException e)
                {
                    last = e.Message;
                }
                catch (TaskCanceledException e) when (!token.IsCancellationRequested)
                {
                    // The client's timeout: a process still starting on a busy machine.
                    last = e.Message;
                }

                if (processes.FirstOrDefault(p => p.Name == name) is { HasExited: true } exited)
                {
                    throw new InvalidOperationException($"{name} exited with {exited.ExitCode} (see {directory}/{name}.log)");
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{name} was not ready in {ReadyTimeoutSeconds} s: /health answered {last} (see {directory}/{name}.log)");
                }

                await Task.Delay(250, token);
            }
        }
    }

    public static async Task<HttpStatusCode> StatusAsync(HttpClient http, HttpMethod method, string url, string? key, JsonObject? body, CancellationToken token)
    {
        using var answer = await SendAsync(http, method, url, key, body, token);
        return answer.StatusCode;
    }

    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string url, string? key, JsonObject? body, CancellationToken token)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await http.SendAsync(request, token);
    }
}
