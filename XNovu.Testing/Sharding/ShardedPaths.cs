using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using XNovu.Api.Topics;
using XNovu.Api.Triggers;
using XNovu.Core.Persistence;
using XNovu.Core.Sharding;
using XNovu.Core.Workflows;
using XNovu.Dispatcher.Dispatch;

namespace XNovu.Testing.Sharding;

/// <summary>
/// The two-database prototype of issue 32 (docs/scaling.md, "Past one database"): the API's trigger path and the
/// dispatcher's claim, each run per shard through <see cref="ShardDirectory"/>, with today's code unchanged.
/// </summary>
/// <remarks>
/// Per shard, the API's own trigger services are registered as the API registers them (<c>AddXNovuTriggers</c>,
/// <c>AddXNovuSubscribersAndTopics</c>, the static workflows) over an <see cref="XNovuDatabase"/> of that shard's
/// database as <c>xnovu_api</c>, and a trigger goes through <c>TriggerCommitWriter</c>, the coalescing writer that
/// serves <c>POST /api/trigger</c> (its lookup, its checks, its shared commit, <c>NotificationRows</c>' insert); the
/// dispatcher's <see cref="DeliveryStore"/> runs the claim and the completion over that shard's database as
/// <c>xnovu_dispatcher</c>, on a data source with the dispatcher's own settings. What is not here is what a rollout
/// adds (docs/scaling.md): the API key's enterprise read from the directory, LISTEN per shard, rendering and Novu.
/// </remarks>
public sealed class ShardedPaths : IAsyncDisposable
{
    /// <summary>A static workflow (no row to create in each shard): <c>payload.body</c> sent by SMS.</summary>
    public const string WorkflowKey = "default-sms";

    private const int LeaseSeconds = 60;
    private const int MaxUnfinishedClaims = 3;

    private readonly ShardMap<Shard> shards;

    public ShardedPaths(ShardDirectory directory, IReadOnlyDictionary<string, ShardDatabase> databases)
    {
        ArgumentNullException.ThrowIfNull(databases);
        shards = new ShardMap<Shard>(directory, name => new Shard(databases[name]));
    }

    public ShardDirectory Directory => shards.Directory;

    /// <summary>Creates each enterprise's row on its shard only (what the admin's enterprise creation does there).</summary>
    public async Task CreateEnterprisesAsync(IEnumerable<Guid> enterprises, CancellationToken cancellationToken)
    {
        foreach (var group in enterprises.GroupBy(Directory.ShardOf))
        {
            await using var connection = new NpgsqlConnection(shards[group.Key].Database.Owner);
            await connection.OpenAsync(cancellationToken);
            await using var insert = new NpgsqlCommand(
                "INSERT INTO notify.enterprise (id, name) SELECT id, 'shard prototype ' || id FROM unnest(@ids) AS id", connection);
            insert.Parameters.AddWithValue("ids", group.ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// One trigger of <paramref name="enterpriseId"/> to <paramref name="subscriberIds"/>, stored by the API's writer
    /// on the enterprise's shard: the notification's id. Throws what the API would answer 503 for (the shard's
    /// database is down), or <see cref="InvalidOperationException"/> for a refusal (a 4xx).
    /// </summary>
    public async Task<long> TriggerAsync(Guid enterpriseId, string transactionId, IReadOnlyList<string> subscriberIds, CancellationToken cancellationToken)
    {
        var shard = shards.For(enterpriseId);
        var request = new TriggerRequest(
            WorkflowKey, JsonSerializer.SerializeToElement(subscriberIds), null,
            JsonSerializer.SerializeToElement(new { body = $"shard prototype {transactionId}" }),
            null, transactionId, null, null, null, null, enterpriseId);
        var (prepared, problem) = TriggerValidation.Prepare(request, enterpriseId, shard.TriggerOptions);
        var outcome = prepared is null ? null : await shard.Writer.TriggerAsync(enterpriseId, prepared, null, cancellationToken);
        problem ??= outcome?.Problem;
        return outcome?.Answer?.NotificationId
            ?? throw new InvalidOperationException($"Trigger {transactionId} refused: {problem?.ProblemDetails.Status} {problem?.ProblemDetails.Detail}");
    }

    /// <summary>One claim on <paramref name="shard"/>, as a dispatcher's claim loop makes it.</summary>
    public Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(string shard, string worker, int batchSize, CancellationToken cancellationToken) =>
        shards[shard].Deliveries.ClaimAsync(worker, batchSize, LeaseSeconds, MaxUnfinishedClaims, cancellationToken);

    /// <summary>Completes <paramref name="claimed"/> as sent (what a Novu acceptance records), through the dispatcher's completion.</summary>
    public Task<int> CompleteSentAsync(string shard, string worker, IReadOnlyList<ClaimedDelivery> claimed, CancellationToken cancellationToken) =>
        shards[shard].Deliveries.CompleteAsync(
            worker, [.. claimed.Select(d => new DeliveryResult(d.DeliveryId, "sent", null, "processed", null))], cancellationToken);

    /// <summary>The database of <paramref name="shard"/> (its owner's connection string, for the caller's own checks).</summary>
    public ShardDatabase DatabaseOf(string shard) => shards[shard].Database;

    public ValueTask DisposeAsync() => shards.DisposeAsync();

    /// <summary>One shard's API trigger services and dispatcher store, each over its own pool.</summary>
    private sealed class Shard : IAsyncDisposable
    {
        private readonly NpgsqlDataSource api;
        private readonly NpgsqlDataSource dispatch;
        private readonly IHost services;

        public Shard(ShardDatabase database)
        {
            Database = database;
            api = PostgresDataSources.Create(database.Api, null, XNovuDatabase.ApplyPoolSettings);
            dispatch = PostgresDataSources.Create(database.Dispatcher, null, DeliveryStore.ConfigureDataSource);
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddLogging();
            builder.Services.AddSingleton(new XNovuDatabase(api));
            builder.AddStaticWorkflows();
            builder.AddXNovuTriggers();
            builder.AddXNovuSubscribersAndTopics();
            services = builder.Build();
            Writer = services.Services.GetRequiredService<TriggerCommitWriter>();
            TriggerOptions = services.Services.GetRequiredService<IOptions<TriggerOptions>>().Value;
            Deliveries = new DeliveryStore(dispatch);
        }

        public ShardDatabase Database { get; }

        public TriggerCommitWriter Writer { get; }

        public TriggerOptions TriggerOptions { get; }

        public DeliveryStore Deliveries { get; }

        public async ValueTask DisposeAsync()
        {
            if (services is IAsyncDisposable asyncServices)
            {
                await asyncServices.DisposeAsync();
            }
            else
            {
                services.Dispose();
            }

            await api.DisposeAsync();
            await dispatch.DisposeAsync();
        }
    }
}
