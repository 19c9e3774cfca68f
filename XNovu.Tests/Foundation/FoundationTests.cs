using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Npgsql;
using StackExchange.Redis;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Foundation;

[Collection(AppCollection.Name)]
public sealed class FoundationTests(XNovuAppFixture fixture)
{
    [Theory]
    [InlineData("api")]
    [InlineData("dispatcher")]
    public async Task Service_is_ready_and_alive(string service)
    {
        using var client = fixture.CreateHttpClient(service);

        var health = await client.GetAsync(new Uri("/health", UriKind.Relative));
        var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task Migrator_runs_to_completion_before_the_services_start()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var finished = await fixture.App.ResourceNotifications.WaitForResourceAsync(
            "migrations", e => e.Snapshot.State?.Text == KnownResourceStates.Finished, timeout.Token);

        Assert.Equal(0, finished.Snapshot.ExitCode);
    }

    [Theory]
    [InlineData("notification_channel_type", "IN_APP,EMAIL,SMS,CHAT,PUSH")]
    [InlineData("notification_workflow_type", "STATIC,DYNAMIC")]
    [InlineData("notification_status", "PENDING,PROCESSING,SENT,FAILED,RETRACTED,SKIPPED")]
    [InlineData("publish_status", "NONE,DRAFT,DISCARD,PUBLISH,DELETED,REVIEW")]
    public async Task Migrations_create_the_notify_schema_with_the_original_enums(string enumName, string labels)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
            FROM pg_type t
            JOIN pg_namespace n ON n.oid = t.typnamespace
            JOIN pg_enum e ON e.enumtypid = t.oid
            WHERE n.nspname = 'notify' AND t.typname = @name
            """,
            connection);
        command.Parameters.AddWithValue("name", enumName);

        Assert.Equal(labels, await command.ExecuteScalarAsync() as string);
    }

    [Fact]
    public async Task Database_is_named_xnovu()
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_database()", connection);

        Assert.Equal("xnovu", await command.ExecuteScalarAsync() as string);
    }

    [Fact]
    public async Task Redis_answers_the_commands_the_services_use()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await fixture.ConnectionStringAsync("redis"));
        var db = redis.GetDatabase();
        var key = $"test:{Guid.NewGuid():N}";

        Assert.True(await db.StringSetAsync(key, "1", TimeSpan.FromSeconds(30), When.NotExists));
        Assert.False(await db.StringSetAsync(key, "2", TimeSpan.FromSeconds(30), When.NotExists));
        Assert.Equal(2, await db.StringIncrementAsync(key));
        Assert.True(await db.KeyExpireAsync(key, TimeSpan.FromSeconds(10)));
        await db.HashSetAsync(key + ":h", "field", "value");
        Assert.Equal("value", (string?)await db.HashGetAsync(key + ":h", "field"));

        // The Redis rate limiter runs Lua scripts.
        var scripted = await db.ScriptEvaluateAsync("return redis.call('INCRBY', KEYS[1], ARGV[1])", [(RedisKey)key], [5]);
        Assert.Equal(7, (long)scripted);

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var channel = RedisChannel.Literal(key + ":events");
        await redis.GetSubscriber().SubscribeAsync(channel, (_, message) => received.TrySetResult(message!));
        await redis.GetSubscriber().PublishAsync(channel, "evict");
        Assert.Equal("evict", await received.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Local_cluster_lives_in_the_configured_data_folder()
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SHOW data_directory", connection);

        var dataDirectory = await command.ExecuteScalarAsync() as string;

        Assert.StartsWith(fixture.DataPath, dataDirectory, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dataDirectory!, "PG_VERSION")));
    }
}
