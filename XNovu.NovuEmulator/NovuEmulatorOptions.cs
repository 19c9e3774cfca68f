namespace XNovu.NovuEmulator;

/// <summary>Bound from <c>NovuEmulator</c>.</summary>
public sealed class NovuEmulatorOptions
{
    public const string SectionName = "NovuEmulator";

    /// <summary>The only key accepted in <c>Authorization: ApiKey &lt;key&gt;</c>.</summary>
    public string SecretKey { get; set; } = "emulator-secret-key";

    /// <summary>Workflow identifiers answered with 422 workflow_not_found; every other name exists.</summary>
    public List<string> UnknownWorkflows { get; set; } = [];

    public RateLimitOptions RateLimit { get; set; } = new();
}

public sealed class RateLimitOptions
{
    /// <summary>The plan's trigger rate; 0 leaves the limiter off (headers are still sent).</summary>
    public double RequestsPerSecond { get; set; }
}
