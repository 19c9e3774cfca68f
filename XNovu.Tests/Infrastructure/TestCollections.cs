using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("XNovu.Tests.Infrastructure.AppCollectionFirst", "XNovu.Tests")]

namespace XNovu.Tests.Infrastructure;

/// <summary>
/// The suite runs two collections at a time (xunit.runner.json): the shared app's collection, the longest, on one
/// thread, and the short classes with servers of their own (scratch PostgreSQL, the emulator) beside it on the other.
/// Classes that start whole releases or break their app run after those, alone, in a collection that disables
/// parallelization: their timings and their CPU would otherwise be shared.
/// </summary>
public sealed class AppCollectionFirst : ITestCollectionOrderer
{
    /// <summary>The shared app's collection first, so that it starts at once and the short ones run beside it.</summary>
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => c.DisplayName == AppCollection.Name ? 0 : 1)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal)
            .ToList();
}

/// <summary>
/// Classes that publish and start whole releases of their own (processes, PostgreSQL primaries and standbys,
/// PgBouncer): they run alone, after the parallel part of the suite.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PublishedServicesCollection
{
    public const string Name = "Published services, alone";
}

/// <summary>Classes whose assertions are about time (a rate limit's window): they run alone as well.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timings, alone";
}
