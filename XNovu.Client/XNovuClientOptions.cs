namespace XNovu.Client;

/// <summary>Where XNovu is and which key to call it with.</summary>
public sealed class XNovuClientOptions
{
    /// <summary>
    /// The API's base address. The default, <c>https+http://api</c>, is resolved by Aspire service discovery
    /// (https if the <c>api</c> resource has it, http otherwise); any absolute http(s) URL works as well.
    /// </summary>
    public Uri BaseAddress { get; set; } = new("https+http://api");

    /// <summary>An enterprise API key, or the admin key for the <c>/api/admin</c> routes. Sent as a Bearer token.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>How many times a 429, a 503 or a lost connection is retried, each after its <c>Retry-After</c>.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The longest a single call may take, retries and their waits included (HttpClient's own default).</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(100);
}
