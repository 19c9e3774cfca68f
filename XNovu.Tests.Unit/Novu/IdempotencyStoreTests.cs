using Microsoft.Extensions.Time.Testing;
using XNovu.NovuEmulator.Idempotency;

namespace XNovu.Tests.Unit.Novu;

public sealed class IdempotencyStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_key_still_in_progress_is_reported_as_such()
    {
        var store = new IdempotencyStore(_time);

        Assert.Equal(IdempotencyStore.ClaimKind.New, store.Begin("api", "k", "h1").Kind);
        Assert.Equal(IdempotencyStore.ClaimKind.InProgress, store.Begin("api", "k", "h1").Kind);
    }

    [Fact]
    public void A_completed_key_replays_for_24_hours_then_is_forgotten()
    {
        var store = new IdempotencyStore(_time);
        store.Begin("api", "k", "h1");
        store.Complete("api", "k", new IdempotencyStore.StoredAnswer(201, "application/json", [1, 2]));

        _time.Advance(TimeSpan.FromHours(23.9));
        var replay = store.Begin("api", "k", "h1");
        Assert.Equal(IdempotencyStore.ClaimKind.Replay, replay.Kind);
        Assert.Equal(201, replay.Answer!.StatusCode);
        Assert.Equal(IdempotencyStore.ClaimKind.DifferentBody, store.Begin("api", "k", "h2").Kind);

        _time.Advance(TimeSpan.FromHours(0.2));
        Assert.Equal(IdempotencyStore.ClaimKind.New, store.Begin("api", "k", "h2").Kind);
    }

    [Fact]
    public void Keys_are_scoped_per_api_key()
    {
        var store = new IdempotencyStore(_time);
        store.Begin("api-1", "k", "h1");

        Assert.Equal(IdempotencyStore.ClaimKind.New, store.Begin("api-2", "k", "h1").Kind);
    }

    [Fact]
    public void An_abandoned_key_can_be_used_again()
    {
        var store = new IdempotencyStore(_time);
        store.Begin("api", "k", "h1");
        store.Abandon("api", "k");

        Assert.Equal(IdempotencyStore.ClaimKind.New, store.Begin("api", "k", "h2").Kind);
    }
}
