namespace XNovu.NovuEmulator;

/// <summary>Bound from <c>NovuEmulator</c>.</summary>
public sealed class NovuEmulatorOptions
{
    public const string SectionName = "NovuEmulator";

    /// <summary>The only key accepted in <c>Authorization: ApiKey &lt;key&gt;</c>.</summary>
    public string SecretKey { get; set; } = "emulator-secret-key";

    /// <summary>Workflow identifiers answered with 422 workflow_not_found, even when unknown ones are accepted.</summary>
    public List<string> UnknownWorkflows { get; set; } = [];

    /// <summary>
    /// Off by default, as in Novu: a trigger for a workflow this environment does not hold is a 422. On, any
    /// name is accepted and recorded without steps (for wire-level tests that need no workflows).
    /// </summary>
    public bool AcceptUnknownWorkflows { get; set; }

    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Novu's delivery-status webhooks: where they go and the secret they are signed with (issue 28).</summary>
    public Webhooks.WebhookOptions Webhooks { get; set; } = new();

    /// <summary>The environment's public application identifier, which Novu's Inbox opens a subscriber's session with.</summary>
    public string ApplicationIdentifier { get; set; } = "emulator-application";

    /// <summary>
    /// Development only: maps <c>/emulator/*</c> (the events, requests and state it holds, and the faults it
    /// injects) and the inbox page. They take no key and show every tenant's notifications, so they are off
    /// unless the AppHost turns them on, which it does only in run mode, the only mode the emulator runs in.
    /// </summary>
    public bool DevelopmentEndpoints { get; set; }
}

public sealed class RateLimitOptions
{
    /// <summary>The plan's trigger rate; 0 leaves the limiter off (headers are still sent).</summary>
    public double RequestsPerSecond { get; set; }
}
