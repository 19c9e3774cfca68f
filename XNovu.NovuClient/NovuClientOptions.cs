using Microsoft.Extensions.Options;

namespace XNovu.NovuClient;

/// <summary>Bound from <c>XNovu:Novu</c>.</summary>
public sealed class NovuClientOptions
{
    public const string SectionName = "XNovu:Novu";

    /// <summary>Novu Cloud (EU: https://eu.api.novu.co), a self-hosted API or the emulator.</summary>
    public Uri ApiUrl { get; set; } = new("https://api.novu.co");

    public string SecretKey { get; set; } = string.Empty;

    /// <summary>The plan's trigger rate (Free 60, Pro 240, Team 600, Enterprise 6,000).</summary>
    public double RequestsPerSecond { get; set; } = 60;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

internal sealed class NovuClientOptionsValidator : IValidateOptions<NovuClientOptions>
{
    public ValidateOptionsResult Validate(string? name, NovuClientOptions options)
    {
        var failures = new List<string>();
        if (options.ApiUrl is null || !options.ApiUrl.IsAbsoluteUri
            || (options.ApiUrl.Scheme != Uri.UriSchemeHttp && options.ApiUrl.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{NovuClientOptions.SectionName}:ApiUrl must be an absolute http(s) URL.");
        }

        if (string.IsNullOrWhiteSpace(options.SecretKey))
        {
            failures.Add($"{NovuClientOptions.SectionName}:SecretKey is required.");
        }

        if (!(options.RequestsPerSecond > 0))
        {
            failures.Add($"{NovuClientOptions.SectionName}:RequestsPerSecond must be greater than 0.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{NovuClientOptions.SectionName}:Timeout must be between 0 and 5 minutes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
