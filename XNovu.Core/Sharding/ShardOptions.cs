namespace XNovu.Core.Sharding;

/// <summary>
/// <c>XNovu:Shards</c>: the databases enterprises are spread over, and which enterprise lives where (issue 32,
/// docs/scaling.md "Past one database"). Unset, there is one shard, <see cref="DefaultShard"/>, and every enterprise is
/// on it: today's single database.
/// </summary>
/// <remarks>
/// A shard's connection string is per service, as today's are (the API logs in as <c>xnovu_api</c>, the dispatcher as
/// <c>xnovu_dispatcher</c>): each service names its own shards' strings under its own configuration.
/// </remarks>
public sealed class ShardOptions
{
    public const string SectionName = "XNovu:Shards";

    /// <summary>The shard of an enterprise the directory does not name, and the only shard when none is configured.</summary>
    public const string DefaultShard = "default";

    /// <summary>Shard name to connection string.</summary>
    public Dictionary<string, string> ConnectionStrings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Enterprise id to shard name: the directory. An enterprise not named here is on <see cref="Default"/>.</summary>
    public Dictionary<Guid, string> Enterprises { get; set; } = [];

    /// <summary>Where an enterprise the directory does not name lives (new enterprises, until they are placed).</summary>
    public string Default { get; set; } = DefaultShard;
}
