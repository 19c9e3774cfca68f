using XNovu.NovuEmulator.Idempotency;

namespace XNovu.NovuEmulator.Inspection;

/// <summary>One attempt at a Novu route, refused or not; lets tests see how a client paced itself.</summary>
public sealed record RequestAttempt(
    long Sequence,
    DateTimeOffset Time,
    string Method,
    string Path,
    int Status,
    string? IdempotencyKey,
    bool IdempotencyReplay);

public sealed class RequestLog(TimeProvider time)
{
    /// <summary>Bounded so a long-running emulator does not grow without end.</summary>
    public const int Capacity = 10_000;

    private readonly Lock _gate = new();
    private readonly Queue<RequestAttempt> _attempts = new();
    private long _sequence;

    public IReadOnlyList<RequestAttempt> List()
    {
        lock (_gate)
        {
            return [.. _attempts];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _attempts.Clear();
        }
    }

    /// <summary>Outermost on the Novu routes: logs arrival time and the final status.</summary>
    public static IApplicationBuilder UseRequestLog(IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var log = context.RequestServices.GetRequiredService<RequestLog>();
        var arrived = log.Now();
        try
        {
            await next(context);
        }
        finally
        {
            var key = context.Request.Headers[IdempotencyMiddleware.KeyHeader].ToString();
            log.Add(arrived, context.Request.Method, context.Request.Path, context.Response.StatusCode,
                string.IsNullOrEmpty(key) ? null : key, context.WasReplayed());
        }
    });

    private DateTimeOffset Now() => time.GetUtcNow();

    private void Add(DateTimeOffset arrived, string method, string path, int status, string? key, bool replay)
    {
        lock (_gate)
        {
            _attempts.Enqueue(new RequestAttempt(++_sequence, arrived, method, path, status, key, replay));
            while (_attempts.Count > Capacity)
            {
                _attempts.Dequeue();
            }
        }
    }
}
