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
/// Each enterprise also has a number of render turns (<see cref="TemplateEngineOptions.EnterpriseRenderConcurrency"/>):
/// its renders beyond them wait, so however many requests or batches carry its slow templates at once, it keeps at
/// most that many threads rendering, and the share's debt is bounded by turns × the render timeout.
/// </summary>
/// <remarks>
/// Hand-written rather than a System.Threading.RateLimiting limiter: those take their tokens before the work,
/// while a render's cost is known only once it has run; a bucket that is paid afterwards and may go into debt is
/// the whole mechanism, a few lines under one lock per enterprise.
/// </remarks>
public sealed class EnterpriseRenderShare(TemplateEngineOptions options, TimeProvider time)
{
    private const int SweepAbove = 10_000;
    private readonly Dictionary<Guid, Account> _accounts = [];

    /// <summary>
    /// Waits for one of the enterprise's render turns (<see cref="TemplateEngineOptions.EnterpriseRenderConcurrency"/>
    /// at once in this process), then checks its share as <see cref="EnsureMayRender"/> does. Dispose the turn when
    /// the render has ended. A tenant whose renders are slow queues behind itself, not in front of other tenants.
    /// </summary>
    public async ValueTask<IDisposable> EnterAsync(Guid enterpriseId, CancellationToken cancellationToken)
    {
        Account account;
        lock (_accounts)
        {
            account = AccountOf(enterpriseId);
            account.Users++;
        }

        var turn = new Turn(this, account);
        try
        {
            await account.Gate.WaitAsync(cancellationToken);
            turn.Entered = true;
            EnsureMayRender(enterpriseId);
            return turn;
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    /// <summary>Throws <see cref="RenderThrottledException"/> when the enterprise has spent its share for now.</summary>
    public void EnsureMayRender(Guid enterpriseId)
    {
        var now = time.GetTimestamp();
        lock (_accounts)
        {
            if (_accounts.TryGetValue(enterpriseId, out var account) && Level(account, now) is var level && level <= 0)
            {
                throw new RenderThrottledException(TimeSpan.FromSeconds(-level / options.EnterpriseRenderShare) + TimeSpan.FromMilliseconds(1));
            }
        }
    }

    /// <summary>Pays for a render that took <paramref name="elapsed"/>.</summary>
    public void Spent(Guid enterpriseId, TimeSpan elapsed)
    {
        var now = time.GetTimestamp();
        lock (_accounts)
        {
            var account = AccountOf(enterpriseId);
            account.Level = Level(account, now) - elapsed.TotalSeconds;
            account.At = now;
        }
    }

    /// <summary>The enterprise's account, made full when it has none. Called under the lock.</summary>
    private Account AccountOf(Guid enterpriseId)
    {
        if (_accounts.TryGetValue(enterpriseId, out var account))
        {
            return account;
        }

        if (_accounts.Count > SweepAbove)
        {
            // Forget every idle account that has refilled: a full account and no account mean the same.
            var now = time.GetTimestamp();
            foreach (var id in _accounts.Where(a => a.Value.Users == 0 && Level(a.Value, now) >= options.EnterpriseRenderBurst.TotalSeconds).Select(a => a.Key).ToList())
            {
                _accounts.Remove(id);
            }
        }

        account = new Account(options.EnterpriseRenderBurst.TotalSeconds, time.GetTimestamp(), options.EnterpriseRenderConcurrency);
        _accounts[enterpriseId] = account;
        return account;
    }

    private double Level(Account account, long now) =>
        Math.Min(options.EnterpriseRenderBurst.TotalSeconds, account.Level + (time.GetElapsedTime(account.At, now).TotalSeconds * options.EnterpriseRenderShare));

    private sealed class Account(double level, long at, int concurrency)
    {
        public double Level { get; set; } = level;

        public long At { get; set; } = at;

        public SemaphoreSlim Gate { get; } = new(concurrency, concurrency);

        /// <summary>Renders holding or waiting for a turn: an account in use is never swept.</summary>
        public int Users { get; set; }
    }

    private sealed class Turn(EnterpriseRenderShare share, Account account) : IDisposable
    {
        private int _disposed;

        public bool Entered { get; set; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            if (Entered)
            {
                account.Gate.Release();
            }

            lock (share._accounts)
            {
                account.Users--;
            }
        }
    }
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
