namespace XNovu.Tests.Infrastructure;

/// <summary>
/// A test class whose tests deliver to the shared emulator. The emulator's faults and request log are cleared
/// before each test and after it, so no test inherits another's outage and none leaves its own behind for a
/// class that does not reset.
/// </summary>
public abstract class EmulatorTestBase(DispatchHarness harness) : IAsyncLifetime
{
    protected DispatchHarness Harness { get; } = harness;

    public virtual Task InitializeAsync() => Harness.ResetEmulatorAsync();

    public virtual async Task DisposeAsync()
    {
        await Harness.ResetEmulatorAsync();
        await Harness.DisposeAsync();
    }
}
