using XNovu.Core.Sharding;

namespace XNovu.Tests.Unit.Sharding;

/// <summary>Issue 32: the directory of enterprises (docs/scaling.md, "Past one database").</summary>
public sealed class ShardDirectoryTests
{
    private static readonly Guid Placed = Guid.Parse("00000000-0000-0000-0000-0000000000b1");
    private static readonly Guid Unplaced = Guid.Parse("00000000-0000-0000-0000-0000000000a9");

    [Fact]
    public void An_enterprise_is_on_the_shard_the_directory_names_and_an_unnamed_one_on_the_default()
    {
        var directory = new ShardDirectory(["b", "a"], new Dictionary<Guid, string> { [Placed] = "b" }, "a");

        Assert.Equal("b", directory.ShardOf(Placed));
        Assert.Equal("a", directory.ShardOf(Unplaced));
        Assert.Equal(["a", "b"], directory.Shards);
        Assert.Equal([Placed], directory.PlacedOn("b"));
    }

    [Fact]
    public void No_shards_configured_is_one_shard_holding_every_enterprise()
    {
        var directory = ShardDirectory.From(new ShardOptions());

        Assert.Same(ShardDirectory.Single, directory);
        Assert.Equal([ShardOptions.DefaultShard], directory.Shards);
        Assert.Equal(ShardOptions.DefaultShard, directory.ShardOf(Placed));
    }

    [Fact]
    public void A_directory_naming_an_unknown_shard_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new ShardDirectory(["a"], new Dictionary<Guid, string> { [Placed] = "c" }, "a"));
        Assert.Throws<ArgumentException>(() => new ShardDirectory(["a"], new Dictionary<Guid, string>(), "c"));
    }

    [Fact]
    public void A_shard_map_hands_each_enterprise_its_shard_s_instance()
    {
        var directory = ShardDirectory.From(new ShardOptions
        {
            ConnectionStrings = { ["a"] = "Host=a", ["b"] = "Host=b" },
            Enterprises = { [Placed] = "b" },
            Default = "a",
        });
        var map = new ShardMap<string>(directory, shard => $"store of {shard}");

        Assert.Equal("store of b", map.For(Placed));
        Assert.Equal("store of a", map.For(Unplaced));
        Assert.Equal([("a", "store of a"), ("b", "store of b")], map.All);
    }
}
