namespace XNovu.NovuEmulator.Faults;

/// <summary>
/// The body of <c>POST /emulator/faults</c>. <c>statusCode</c> fails the request; <c>retryAfterSeconds</c>
/// alone means a 429 carrying that Retry-After; <c>latencyMs</c> delays it; <c>answerLatencyMs</c> lets it be
/// processed and then holds its answer (a caller that times out has had its work done); <c>novuStatus</c> makes
/// triggers answer 201 with that status. <c>rate</c> is the probability per matching call,
/// <c>count</c> and <c>durationSeconds</c> bound how long the fault lives, <c>paths</c> are path prefixes.
/// </summary>
public sealed record FaultRequest(
    int? StatusCode,
    int? RetryAfterSeconds,
    int? LatencyMs,
    string? NovuStatus,
    double? Rate,
    int? Count,
    double? DurationSeconds,
    IReadOnlyList<string>? Paths,
    string? BodyContains = null,
    int? AnswerLatencyMs = null);

public sealed record Fault
{
    public required int Id { get; init; }

    public int? StatusCode { get; init; }

    public int? RetryAfterSeconds { get; init; }

    public int? LatencyMs { get; init; }

    /// <summary>The request is processed, then its answer held this long.</summary>
    public int? AnswerLatencyMs { get; init; }

    public string? NovuStatus { get; init; }

    public double Rate { get; init; } = 1.0;

    /// <summary>Calls it still applies to; null means no limit.</summary>
    public int? Remaining { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public IReadOnlyList<string>? Paths { get; init; }

    /// <summary>Applies only to requests whose body contains this text (a subscriber id, a workflow name).</summary>
    public string? BodyContains { get; init; }

    public int Applied { get; init; }

    /// <summary>The status a failing fault answers with, or null when it does not fail the request.</summary>
    public int? FailureStatus => StatusCode ?? (RetryAfterSeconds is not null ? StatusCodes.Status429TooManyRequests : null);
}

public sealed class FaultStore(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<Fault> _faults = [];
    private int _nextId;

    public Fault Add(FaultRequest request)
    {
        lock (_gate)
        {
            var fault = new Fault
            {
                Id = ++_nextId,
                StatusCode = request.StatusCode,
                RetryAfterSeconds = request.RetryAfterSeconds,
                LatencyMs = request.LatencyMs,
                AnswerLatencyMs = request.AnswerLatencyMs,
                NovuStatus = request.NovuStatus,
                Rate = request.Rate ?? 1.0,
                Remaining = request.Count,
                ExpiresAt = request.DurationSeconds is double seconds ? time.GetUtcNow().AddSeconds(seconds) : null,
                Paths = request.Paths,
                BodyContains = request.BodyContains,
            };
            _faults.Add(fault);
            return fault;
        }
    }

    public IReadOnlyList<Fault> List()
    {
        lock (_gate)
        {
            Prune();
            return [.. _faults];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    /// <summary>The first live fault for this request that fires, with its count spent.</summary>
    public bool AnyFilterOnBody()
    {
        lock (_gate)
        {
            return _faults.Any(f => f.BodyContains is not null);
        }
    }

    public Fault? Take(HttpRequest request, bool isTrigger, string? body = null)
    {
        lock (_gate)
        {
            Prune();
            for (var i = 0; i < _faults.Count; i++)
            {
                var fault = _faults[i];
                var matchesPath = fault.Paths is not { Count: > 0 } paths
                    || paths.Any(p => request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

                // A status-only fault means nothing to routes that do not trigger; do not spend it there.
                var meaningful = fault.FailureStatus is not null || fault.LatencyMs is not null || fault.AnswerLatencyMs is not null || isTrigger;
                var matchesBody = fault.BodyContains is null || (body?.Contains(fault.BodyContains, StringComparison.Ordinal) ?? false);
                if (!matchesPath || !meaningful || !matchesBody)
                {
                    continue;
                }

#pragma warning disable CA5394 // Chance, not security: how often a fault fires.
                if (fault.Rate < 1.0 && Random.Shared.NextDouble() >= fault.Rate)
#pragma warning restore CA5394
                {
                    continue;
                }

                _faults[i] = fault with { Remaining = fault.Remaining - 1, Applied = fault.Applied + 1 };
                return fault;
            }

            return null;
        }
    }

    private void Prune()
    {
        var now = time.GetUtcNow();
        _faults.RemoveAll(f => f.Remaining <= 0 || f.ExpiresAt <= now);
    }
}
