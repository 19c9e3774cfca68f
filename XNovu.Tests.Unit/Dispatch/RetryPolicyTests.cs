using XNovu.Dispatcher.Dispatch;
using XNovu.NovuClient;

namespace XNovu.Tests.Unit.Dispatch;

/// <summary>
/// What the dispatcher does after Novu answered (RetryPolicy): the backoff's growth, its cap and its jitter, a
/// Retry-After honoured, and a retryable failure that becomes final when the attempts run out.
/// </summary>
public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly NovuOutcome Retryable = new() { Kind = NovuOutcomeKind.Retryable, HttpStatus = 503 };

    // Not the defaults, so that a test cannot pass by reading the defaults instead of the options.
    private static RetryPolicy Policy(int maxAttempts = 5) => new(new DispatcherOptions
    {
        MaxAttempts = maxAttempts,
        BaseBackoff = TimeSpan.FromMilliseconds(200),
        MaxBackoff = TimeSpan.FromSeconds(3),
    });

    [Fact]
    public void Backoff_doubles_from_the_base_with_each_attempt()
    {
        var policy = Policy();

        // random 1 is the top of the jitter range: the raw backoff itself.
        Assert.Equal(TimeSpan.FromMilliseconds(200), policy.Backoff(1, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(400), policy.Backoff(2, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(800), policy.Backoff(3, 1));
        Assert.Equal(TimeSpan.FromMilliseconds(1600), policy.Backoff(4, 1));
    }

    [Fact]
    public void Backoff_is_capped_at_MaxBackoff_however_many_attempts()
    {
        var policy = Policy();

        // 200 ms × 2^4 = 3.2 s is the first raw backoff above the 3 s cap.
        Assert.Equal(TimeSpan.FromSeconds(3), policy.Backoff(5, 1));
        foreach (var attempts in new[] { 6, 10, 31, 32, 100, int.MaxValue })
        {
            Assert.Equal(TimeSpan.FromSeconds(3), policy.Backoff(attempts, 1));
            Assert.Equal(TimeSpan.FromSeconds(1.5), policy.Backoff(attempts, 0));
        }

        for (var attempts = 1; attempts <= 64; attempts++)
        {
            foreach (var random in new[] { 0, 0.25, 0.5, 0.999999, 1 })
            {
                Assert.InRange(policy.Backoff(attempts, random), TimeSpan.Zero, TimeSpan.FromSeconds(3));
            }
        }
    }

    [Fact]
    public void Jitter_keeps_the_backoff_in_the_upper_half_of_the_raw_delay()
    {
        var policy = Policy();

        // Attempt 3: raw 800 ms, so jitter spreads it over [400 ms, 800 ms].
        Assert.Equal(TimeSpan.FromMilliseconds(400), policy.Backoff(3, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(600), policy.Backoff(3, 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(800), policy.Backoff(3, 1));

        // A random number outside [0, 1] cannot push the delay out of that range.
        Assert.Equal(TimeSpan.FromMilliseconds(400), policy.Backoff(3, -5));
        Assert.Equal(TimeSpan.FromMilliseconds(800), policy.Backoff(3, 7));

        var random = new Random(33);
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(policy.Backoff(3, random.NextDouble()), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800));
        }
    }

    [Fact]
    public void A_retryable_answer_is_retried_after_the_backoff()
    {
        var (decision, retryAt) = Policy().Decide(Retryable, attempts: 2, Now, random: 1);

        Assert.Equal(DeliveryDecision.Retry, decision);
        Assert.Equal(Now + TimeSpan.FromMilliseconds(400), retryAt);
    }

    [Fact]
    public void A_retry_is_never_scheduled_later_than_MaxBackoff_without_a_Retry_After()
    {
        var policy = Policy(maxAttempts: 100);

        for (var attempts = 1; attempts < 100; attempts++)
        {
            var (decision, retryAt) = policy.Decide(Retryable, attempts, Now, random: 1);

            Assert.Equal(DeliveryDecision.Retry, decision);
            Assert.InRange(retryAt!.Value, Now, Now + TimeSpan.FromSeconds(3));
        }
    }

    [Fact]
    public void A_longer_Retry_After_wins_and_a_shorter_one_does_not_hurry_the_retry()
    {
        var policy = Policy();

        var (_, later) = policy.Decide(Retryable with { RetryAfter = TimeSpan.FromSeconds(30) }, attempts: 1, Now, random: 1);
        var (_, sooner) = policy.Decide(Retryable with { RetryAfter = TimeSpan.FromMilliseconds(10) }, attempts: 3, Now, random: 1);

        Assert.Equal(Now + TimeSpan.FromSeconds(30), later);
        Assert.Equal(Now + TimeSpan.FromMilliseconds(800), sooner);
    }

    [Fact]
    public void A_retryable_answer_fails_finally_when_the_attempts_run_out()
    {
        var policy = Policy(maxAttempts: 3);

        // attempts counts the one just made (the claim adds it), so the third failure of three is final.
        Assert.Equal(DeliveryDecision.Retry, policy.Decide(Retryable, attempts: 1, Now, random: 0.5).Decision);
        Assert.Equal(DeliveryDecision.Retry, policy.Decide(Retryable, attempts: 2, Now, random: 0.5).Decision);
        Assert.Equal((DeliveryDecision.Failed, (DateTimeOffset?)null), policy.Decide(Retryable, attempts: 3, Now, random: 0.5));

        // A delivery claimed again past its limit (after a lease expired) fails too, and Retry-After does not revive it.
        Assert.Equal((DeliveryDecision.Failed, (DateTimeOffset?)null),
            policy.Decide(Retryable with { RetryAfter = TimeSpan.FromSeconds(1) }, attempts: 4, Now, random: 0.5));
    }

    [Fact]
    public void A_terminal_answer_fails_at_once_and_a_success_is_sent()
    {
        var policy = Policy();

        Assert.Equal((DeliveryDecision.Failed, (DateTimeOffset?)null),
            policy.Decide(new NovuOutcome { Kind = NovuOutcomeKind.Terminal, HttpStatus = 422 }, attempts: 1, Now, random: 0.5));
        Assert.Equal((DeliveryDecision.Sent, (DateTimeOffset?)null),
            policy.Decide(new NovuOutcome { Kind = NovuOutcomeKind.Success, HttpStatus = 201 }, attempts: 1, Now, random: 0.5));
    }
}
