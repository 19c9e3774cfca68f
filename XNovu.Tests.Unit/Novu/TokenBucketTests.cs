using Microsoft.Extensions.Time.Testing;
using XNovu.NovuClient;

namespace XNovu.Tests.Unit.Novu;

public sealed class TokenBucketTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_full_bucket_lets_a_burst_through_without_waiting()
    {
        var bucket = new TokenBucket(60, 330, _time);

        for (var i = 0; i < 330; i++)
        {
            var acquire = bucket.AcquireAsync(1, CancellationToken.None);
            Assert.True(acquire.IsCompleted);
            await acquire;
        }

        Assert.Equal(0, bucket.Available, 6);
    }

    [Fact]
    public async Task An_empty_bucket_makes_the_caller_wait_for_the_refill()
    {
        var bucket = new TokenBucket(10, 55, _time);
        bucket.Reserve(bucket.Capacity);

        var acquire = bucket.AcquireAsync(1, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(acquire.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await acquire;
    }

    [Fact]
    public void Waiters_queue_behind_each_other()
    {
        var bucket = new TokenBucket(10, 10, _time);
        bucket.Reserve(10);

        Assert.Equal(TimeSpan.FromSeconds(0.1), bucket.Reserve(1));
        Assert.Equal(TimeSpan.FromSeconds(0.2), bucket.Reserve(1));
    }

    [Fact]
    public void A_bulk_call_costs_one_hundred_tokens()
    {
        var bucket = new TokenBucket(60, 330, _time);

        Assert.Equal(TimeSpan.Zero, bucket.Reserve(NovuRestClient.BulkCost));
        Assert.Equal(230, bucket.Available, 6);
        Assert.Equal(TimeSpan.Zero, bucket.Reserve(NovuRestClient.BulkCost));
        Assert.Equal(TimeSpan.Zero, bucket.Reserve(NovuRestClient.BulkCost));
        Assert.Equal(TimeSpan.FromSeconds(70.0 / 60), bucket.Reserve(NovuRestClient.BulkCost));
    }

    [Fact]
    public void The_bucket_refills_at_the_plan_rate_up_to_its_capacity()
    {
        var bucket = new TokenBucket(60, 330, _time);
        bucket.Reserve(330);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(60, bucket.Available, 6);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(330, bucket.Available, 6);
    }

    [Fact]
    public async Task A_cancelled_wait_gives_its_tokens_back()
    {
        var bucket = new TokenBucket(10, 10, _time);
        bucket.Reserve(10);
        using var cts = new CancellationTokenSource();

        var acquire = bucket.AcquireAsync(5, cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => acquire);
        Assert.Equal(0, bucket.Available, 6);
    }

    [Fact]
    public void Pause_holds_everyone_back_for_the_given_time()
    {
        var bucket = new TokenBucket(60, 330, _time);

        bucket.Pause(TimeSpan.FromSeconds(2));

        Assert.True(bucket.Reserve(1) >= TimeSpan.FromSeconds(2));
    }
}
