using System.Net;

namespace XNovu.Tests.Novu;

public sealed class EmulatorDevelopmentEndpointsTests
{
    [Theory]
    [InlineData("/emulator/events")]
    [InlineData("/emulator/requests")]
    [InlineData("/emulator/faults")]
    [InlineData("/")]
    public async Task Inspection_fault_and_inbox_endpoints_exist_only_when_turned_on(string path)
    {
        await using var off = await EmulatorHost.StartAsync(new() { ["NovuEmulator:DevelopmentEndpoints"] = "false" });
        await using var on = await EmulatorHost.StartAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await off.Http.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await on.Http.GetAsync(path)).StatusCode);
    }
}
