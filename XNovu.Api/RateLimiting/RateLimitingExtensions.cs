namespace XNovu.Api.RateLimiting;

public static class RateLimitingExtensions
{
    /// <summary>The per-enterprise rate limits of every route class, kept in Redis so that every replica shares them.</summary>
    public static IHostApplicationBuilder AddXNovuTriggerRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.SectionName)
            .Validate(o => o.TriggersPerSecond is >= 1 and <= RateLimitOptions.MaxTriggersPerSecond,
                $"{RateLimitOptions.SectionName}:TriggersPerSecond must be between 1 and {RateLimitOptions.MaxTriggersPerSecond}.")
            .Validate(o => o.Enterprises.All(e => Guid.TryParse(e.Key, out _) && e.Value is >= 1 and <= RateLimitOptions.MaxTriggersPerSecond),
                $"{RateLimitOptions.SectionName}:Enterprises must map enterprise ids to rates between 1 and {RateLimitOptions.MaxTriggersPerSecond}.")
            .Validate(o => o.WritesPerSecond is >= 1 and <= RateLimitOptions.MaxTriggersPerSecond && o.ReadsPerSecond is >= 1 and <= RateLimitOptions.MaxTriggersPerSecond,
                $"{RateLimitOptions.SectionName}:WritesPerSecond and ReadsPerSecond must be between 1 and {RateLimitOptions.MaxTriggersPerSecond}.")
            .Validate(o => o.OverrideCacheDuration > TimeSpan.Zero, $"{RateLimitOptions.SectionName}:OverrideCacheDuration must be positive.")
            .ValidateOnStart();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<TriggerRateLimits>();
        builder.Services.AddSingleton<EnterpriseRateLimiter>();
        return builder;
    }
}
