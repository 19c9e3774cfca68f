using System.Globalization;
using Microsoft.Extensions.Options;
using XNovu.NovuEmulator.Shared;

namespace XNovu.NovuEmulator.RateLimiting;

/// <summary>
/// Novu's trigger limiter: a token bucket holding the plan rate over a 5 s window plus 10% burst,
/// refilled at the plan rate; a bulk call costs 100 tokens (capped at the bucket's size, so a tiny
/// plan can still send one). With <c>RequestsPerSecond</c> 0 nothing is refused, but the headers
/// still describe a Free plan (60/s) bucket, because Novu sends them on every trigger answer.
/// </summary>
public sealed class TriggerRateLimiter
{
    public const double BulkCost = 100;
    public const double FreePlanRate = 60;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    public const double Burst = 0.10;

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _stamp;

    public TriggerRateLimiter(IOptions<NovuEmulatorOptions> options, TimeProvider time)
    {
        var configured = options.Value.RateLimit.RequestsPerSecond;
        Enforced = configured > 0;
        Rate = Enforced ? configured : FreePlanRate;
        Limit = Rate * Window.TotalSeconds;
        Capacity = Limit * (1 + Burst);
        _time = time;
        _tokens = Capacity;
        _stamp = time.GetTimestamp();
    }

    public bool Enforced { get; }

    public double Rate { get; }

    /// <summary>Requests per window.</summary>
    public double Limit { get; }

    public double Capacity { get; }

    public Decision Take(double cost)
    {
        lock (_gate)
        {
            Refill();
            cost = Math.Min(cost, Capacity);
            if (_tokens >= cost || !Enforced)
            {
                _tokens = Math.Max(0, _tokens - cost);
                return new Decision(true, _tokens, TimeSpan.Zero, UntilFull());
            }

            var retryAfter = TimeSpan.FromSeconds((cost - _tokens) / Rate);
            return new Decision(false, _tokens, retryAfter, UntilFull());
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _tokens = Capacity;
            _stamp = _time.GetTimestamp();
        }
    }

    private TimeSpan UntilFull() => TimeSpan.FromSeconds((Capacity - _tokens) / Rate);

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_stamp, now);
        _stamp = now;
        _tokens = Math.Min(Capacity, _tokens + (elapsed.TotalSeconds * Rate));
    }

    public readonly record struct Decision(bool Allowed, double Remaining, TimeSpan RetryAfter, TimeSpan Reset);
}

public static class TriggerRateLimiting
{
    /// <summary>Headers on every trigger answer; a refused trigger is a 429 with Retry-After (whole seconds).</summary>
    public static IApplicationBuilder UseTriggerRateLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!NovuApi.IsTrigger(context.Request))
        {
            await next(context);
            return;
        }

        var limiter = context.RequestServices.GetRequiredService<TriggerRateLimiter>();
        var bulk = NovuApi.IsBulkTrigger(context.Request);
        var decision = limiter.Take(bulk ? TriggerRateLimiter.BulkCost : 1);
        var headers = context.Response.Headers;
        headers["RateLimit-Limit"] = Whole(limiter.Limit);
        headers["RateLimit-Remaining"] = Whole(Math.Floor(decision.Remaining));
        headers["RateLimit-Reset"] = Whole(Math.Ceiling(decision.Reset.TotalSeconds));
        headers["RateLimit-Policy"] = string.Create(CultureInfo.InvariantCulture,
            $"{limiter.Limit};w={TriggerRateLimiter.Window.TotalSeconds};burst={Math.Floor(limiter.Capacity)};comment=\"token bucket\";category=\"trigger\";cost=\"{(bulk ? "bulk" : "single")}\"");

        if (!decision.Allowed)
        {
            headers.RetryAfter = Whole(Math.Max(1, Math.Ceiling(decision.RetryAfter.TotalSeconds)));
            await NovuApi.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, "API rate limit exceeded");
            return;
        }

        await next(context);
    });

    private static string Whole(double value) => ((long)value).ToString(CultureInfo.InvariantCulture);
}
