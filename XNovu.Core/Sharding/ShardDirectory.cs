namespace XNovu.Core.Sharding;

/// <summary>
/// Which shard holds an enterprise: the directory of docs/scaling.md ("Past one database: sharding by enterprise").
/// Every hot statement names one enterprise (a trigger, a tenant read) or works inside one database (a claim), so
/// an enterprise's shard is all a caller needs to know to run today's SQL unchanged on the right database.
/// </summary>
/// <remarks>
/// Immutable and held in memory: a lookup costs a dictionary read. The prototype reads it from configuration
/// (<see cref="ShardOptions"/>); a rollout keeps it in a table of the control database, cached, and moves an
/// enterprise by flipping its row after its rows are copied (docs/scaling.md).
/// </remarks>
public sealed class ShardDirectory
{
    private readonly Dictionary<Guid, string> enterprises;

    public ShardDirectory(IEnumerable<string> shards, IReadOnlyDictionary<Guid, string> enterprises, string defaultShard)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentNullException.ThrowIfNull(enterprises);
        Shards = [.. shards.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (!Shards.Contains(defaultShard, StringComparer.Ordinal))
        {
            throw new ArgumentException($"The default shard '{defaultShard}' is not one of the shards ({string.Join(", ", Shards)}).", nameof(defaultShard));
        }

        if (enterprises.FirstOrDefault(e => !Shards.Contains(e.Value, StringComparer.Ordinal)) is { Value: not null } unknown)
        {
            throw new ArgumentException($"Enterprise {unknown.Key} is placed on shard '{unknown.Value}', which is not one of the shards.", nameof(enterprises));
        }

        this.enterprises = new Dictionary<Guid, string>(enterprises);
        Default = defaultShard;
    }

    /// <summary>Every shard's name, in ordinal order (a process runs one claim loop set per shard).</summary>
    public IReadOnlyList<string> Shards { get; }

    /// <summary>The shard of an enterprise the directory does not name.</summary>
    public string Default { get; }

    /// <summary>One shard holding every enterprise: today's single database.</summary>
    public static ShardDirectory Single { get; } = new([ShardOptions.DefaultShard], new Dictionary<Guid, string>(), ShardOptions.DefaultShard);

    /// <summary>The directory <paramref name="options"/> describe; <see cref="Single"/> when they name no shard.</summary>
    public static ShardDirectory From(ShardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ConnectionStrings.Count == 0 && options.Enterprises.Count == 0
            ? Single
            : new ShardDirectory(options.ConnectionStrings.Keys, options.Enterprises, options.Default);
    }

    /// <summary>The shard holding <paramref name="enterpriseId"/>'s rows.</summary>
    public string ShardOf(Guid enterpriseId) => enterprises.GetValueOrDefault(enterpriseId, Default);

    /// <summary>The enterprises the directory places on <paramref name="shard"/> by name (not those it holds by default).</summary>
    public IReadOnlyList<Guid> PlacedOn(string shard) =>
        [.. enterprises.Where(e => string.Equals(e.Value, shard, StringComparison.Ordinal)).Select(e => e.Key)];
}
