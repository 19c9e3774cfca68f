using Microsoft.AspNetCore.Components.Server.Circuits;

namespace XNovu.Console;

/// <summary>
/// Whether the browser of this circuit is still connected. A closed tab leaves its circuit alive for a while in case
/// the browser comes back; the live pages stop asking the API meanwhile.
/// </summary>
public sealed class CircuitConnection : CircuitHandler
{
    public bool Connected { get; private set; } = true;

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Connected = true;
        return Task.CompletedTask;
    }

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        Connected = false;
        return Task.CompletedTask;
    }
}
