using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using XNovu.Dispatcher.Dispatch;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Dispatch;

/// <summary>
/// The dispatcher's LISTEN connection, run in the test against the real database: after any failure its physical
/// connection is closed, so no connection still listening goes back to a pool, and a new one listens.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ListenConnectionTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task A_failure_after_LISTEN_closes_the_connection_and_a_new_one_listens()
    {
        var channelName = $"xnovu_test_{Guid.NewGuid():N}";
        using var firstCallHeld = new SemaphoreSlim(0);
        using var releaseFirstCall = new SemaphoreSlim(0);
        var calls = 0;
        var channel = new DatabaseChannel(channelName, () =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                // The first call comes right after LISTEN: hold it so the test can see the backend, then fail.
                firstCallHeld.Release();
                releaseFirstCall.Wait(TimeSpan.FromSeconds(30));
                throw new InvalidOperationException("A channel handler failed.");
            }
        });

        await using var dataSource = DatabaseNotificationListener.CreateDataSource(
            await fixture.ConnectionStringAsync("xnovu"), NullLoggerFactory.Instance);
        using var listener = new DatabaseNotificationListener(dataSource, [channel], NullLogger<DatabaseNotificationListener>.Instance);
        await using var owner = await fixture.OpenOwnerConnectionAsync();

        await listener.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(await firstCallHeld.WaitAsync(TimeSpan.FromSeconds(30)), "the listener never listened");
            var failed = await ListeningBackendAsync(owner);
            Assert.NotNull(failed);
            releaseFirstCall.Release();

            // It listens again: a NOTIFY reaches the handler.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Volatile.Read(ref calls) < 3 && DateTime.UtcNow < deadline)
            {
                await owner.ExecuteAsync($"NOTIFY {channelName}");
                await Task.Delay(100);
            }

            Assert.True(Volatile.Read(ref calls) >= 3, "the listener did not listen again after the failure");
            var current = await ListeningBackendAsync(owner);
            Assert.NotNull(current);
            Assert.NotEqual(failed, current);
            var failedStillOpen = await owner.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = @pid)", new { pid = failed });
            Assert.False(failedStillOpen, "the failed LISTEN connection is still open (pooled)");
        }
        finally
        {
            releaseFirstCall.Release();
            await listener.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>The test listener's backend: the dispatchers' listeners connect as another role.</summary>
    private static Task<int?> ListeningBackendAsync(NpgsqlConnection owner) =>
        owner.QuerySingleOrDefaultAsync<int?>(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'xnovu-listen' AND usename = current_user");
}
