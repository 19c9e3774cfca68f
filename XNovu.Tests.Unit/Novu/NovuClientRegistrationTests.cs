using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using XNovu.NovuClient;

namespace XNovu.Tests.Unit.Novu;

public sealed class NovuClientRegistrationTests
{
    [Fact]
    public void Options_are_bound_from_the_XNovu_Novu_section()
    {
        using var host = NovuClientHost.Build(new()
        {
            ["XNovu:Novu:ApiUrl"] = "http://novu.local:4010",
            ["XNovu:Novu:SecretKey"] = "sk",
            ["XNovu:Novu:RequestsPerSecond"] = "240",
            ["XNovu:Novu:Timeout"] = "00:00:03",
        });

        var options = host.Services.GetRequiredService<IOptions<NovuClientOptions>>().Value;

        Assert.Equal(new Uri("http://novu.local:4010"), options.ApiUrl);
        Assert.Equal("sk", options.SecretKey);
        Assert.Equal(240, options.RequestsPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        // 240/s over 5 s; Novu's 10% burst stays unused as headroom.
        Assert.Equal(1200, host.Services.GetRequiredService<NovuTriggerThrottle>().Bucket.Capacity, 6);
    }

    [Fact]
    public void Defaults_are_Novu_Cloud_the_Free_plan_and_ten_seconds()
    {
        var options = new NovuClientOptions();

        Assert.Equal(new Uri("https://api.novu.co"), options.ApiUrl);
        Assert.Equal(60, options.RequestsPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
    }

    [Fact]
    public async Task Missing_secret_key_and_bad_rate_fail_at_start()
    {
        using var host = NovuClientHost.Build(new() { ["XNovu:Novu:RequestsPerSecond"] = "0" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains("SecretKey", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RequestsPerSecond", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Service_defaults_resilience_handler_does_not_retry_novu_calls(bool serviceDefaultsFirst)
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Error(503));
        using var host = NovuClientHost.Build(
            new() { ["XNovu:Novu:ApiUrl"] = "http://novu.local", ["XNovu:Novu:SecretKey"] = "sk" },
            http => http.ConfigurePrimaryHttpMessageHandler(() => handler),
            serviceDefaultsFirst);

        var outcome = await host.Services.GetRequiredService<INovuClient>().TriggerAsync(NovuClientFactory.Event("tx-1"));

        Assert.Equal(NovuOutcomeKind.Retryable, outcome.Kind);
        Assert.Single(handler.Requests);
        Assert.Equal("http://novu.local/v1/events/trigger", handler.Requests[0].Uri.ToString());
    }
}
