namespace XNovu.Testing.Sharding;

/// <summary>One shard's database: its owner's connection string (set-up only), and the API's and the dispatcher's logins.</summary>
public sealed record ShardDatabase(string Shard, string Owner, string Api, string Dispatcher);
