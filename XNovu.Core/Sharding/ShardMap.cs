namespace XNovu.Core.Sharding;

/// <summary>
/// One <typeparamref name="T"/> per shard (a data source, a store over it), built once by a factory from the shard's
/// name, and the one an enterprise's work goes to. The services' stores already take their data source in their
/// constructor, so a store per shard is today's store, unchanged, over that shard's database.
/// </summary>
/// <remarks>
/// Tenants share machines, never fate: a shard whose database is down fails only the calls that go to it (each store
/// fails fast on its own pool), and nothing here waits on one shard to serve another.
/// </remarks>
public sealed class ShardMap<T> : IAsyncDisposable where T : class
{
    private readonly Dictionary<string, T> byShard;

    public ShardMap(ShardDirectory directory, Func<string, T> create)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(create);
        Directory = directory;
        byShard = directory.Shards.ToDictionary(shard => shard, create, StringComparer.Ordinal);
    }

    public ShardDirectory Directory { get; }

    /// <summary>The shard's instance.</summary>
    public T this[string shard] => byShard.TryGetValue(shard, out var value)
        ? value
        : throw new KeyNotFoundException($"No shard '{shard}'.");

    /// <summary>The instance of the shard holding <paramref name="enterpriseId"/>.</summary>
    public T For(Guid enterpriseId) => byShard[Directory.ShardOf(enterpriseId)];

    /// <summary>Every shard with its instance, in the directory's order.</summary>
    public IEnumerable<(string Shard, T Value)> All => Directory.Shards.Select(shard => (shard, byShard[shard]));

    public async ValueTask DisposeAsync()
    {
        foreach (var value in byShard.Values)
        {
            switch (value)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
