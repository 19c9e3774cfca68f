namespace XNovu.Core.Templates;

/// <summary>
/// How much rendering one enterprise may take from this process, so that one tenant's templates, however slow,
/// cannot hold the renders of every other tenant (in the API's previews and size checks, and in a dispatcher's
/// batches). Each enterprise has a bucket of render time: it holds at most
/// <see cref="TemplateEngineOptions.EnterpriseRenderBurst"/> and refills at
/// <see cref="TemplateEngineOptions.EnterpriseRenderShare"/> seconds per second. A render may start while the bucket
/// is not empty and is paid for when it ends, whatever it took, so the bucket can go below zero; until it has
/// refilled to above zero the enterprise's renders are refused with <see cref="RenderThrottledException"/>, which
/// says when to try again. Cheap renders never notice it: a normal template costs microseconds.
/// </summary>
/// <remarks>
/// Hand-written rather than a System.Threading.RateLimiting limiter: those take their tokens before the work,
/// while a render's cost is known only once it has run; a bucket that is paid afterwards and may go into debt is
/// the whole mechanism, a few lines under one lock per enterprise.
/// </remarks>
public sealed class EnterpriseRenderShare(TemplateEngineOptions options, TimeProvider time)
{
    private const int SweepAbove = 10_000;
    private readonly Dictionary<Guid, Bucket> _buckets = [];

    /// <summary>Throws <see cref="RenderThrottledException"/> when the enterprise has spent its share for now.</summary>
    public void EnsureMayRender(Guid enterpriseId)
    {
        var now = time.GetTimestamp();
        lock (_buckets)
        {
            if (_buckets.TryGetValue(enterpriseId, out var bucket) && Level(bucket, now) is var level && level <= 0)
            {
                throw new RenderThrottledException(TimeSpan.FromSeconds(-level / options.EnterpriseRenderShare) + TimeSpan.FromMilliseconds(1));
            }
        }
    }

    /// <summary>Pays for a render that took <paramref name="elapsed"/>.</summary>
    public void Spent(Guid enterpriseId, TimeSpan elapsed)
    {
        var now = time.GetTimestamp();
        lock (_buckets)
        {
            if (_buckets.Count > SweepAbove)
            {
                // Forget every bucket that has refilled: a full bucket and no bucket mean the same.
                foreach (var (id, full) in _buckets.Where(b => Level(b.Value, now) >= options.EnterpriseRenderBurst.TotalSeconds).ToList())
                {
                    _buckets.Remove(id);
                }
            }

            var level = _buckets.TryGetValue(enterpriseId, out var bucket) ? Level(bucket, now) : options.EnterpriseRenderBurst.TotalSeconds;
            _buckets[enterpriseId] = new Bucket(level - elapsed.TotalSeconds, now);
        }
    }

    private double Level(Bucket bucket, long now) =>
        Math.Min(options.EnterpriseRenderBurst.TotalSeconds, bucket.Level + (time.GetElapsedTime(bucket.At, now).TotalSeconds * options.EnterpriseRenderShare));

    private readonly record struct Bucket(double Level, long At);
}

/// <summary>
/// The enterprise has spent its share of this process's rendering for now (<see cref="EnterpriseRenderShare"/>):
/// nothing was rendered. Not the template's fault: the API answers 429 with <c>Retry-After</c>, a dispatcher puts
/// the delivery back without spending an attempt.
/// </summary>
public sealed class RenderThrottledException(TimeSpan retryAfter)
    : Exception($"The enterprise's templates have used their share of rendering time for now; try again in {Math.Ceiling(retryAfter.TotalSeconds):0} s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
