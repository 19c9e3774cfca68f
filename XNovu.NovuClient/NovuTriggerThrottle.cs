using Microsoft.Extensions.Options;

namespace XNovu.NovuClient;

/// <summary>
/// The client-side trigger budget, so the client waits instead of provoking 429s. Novu's bucket holds
/// rate × 5 s plus 10% burst; the client stops at rate × 5 s and keeps the burst as headroom (half a
/// second at any rate), because Novu counts a request when it arrives, not when it was sent.
/// </summary>
public sealed class NovuTriggerThrottle(IOptions<NovuClientOptions> options, TimeProvider time)
{
    public TokenBucket Bucket { get; } = new(
        options.Value.RequestsPerSecond,
        options.Value.RequestsPerSecond * TokenBucket.NovuWindow.TotalSeconds,
        time);
}
