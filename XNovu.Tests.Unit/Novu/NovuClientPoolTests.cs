using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using XNovu.NovuClient;

namespace XNovu.Tests.Unit.Novu;

/// <summary>Bring your own Novu: one client per Novu environment, built as the shared one is.</summary>
public sealed class NovuClientPoolTests
{
    private static readonly NovuCredentials Acme = new(new Uri("http://acme-novu.local:3000"), "acme-key");

    [Fact]
    public async Task Each_environment_is_called_at_its_own_address_with_its_own_key_and_never_retried()
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Error(503));
        using var host = Build(handler);
        var pool = host.Services.GetRequiredService<NovuClientPool>();

        var outcome = await pool.Get(Acme).TriggerAsync(NovuClientFactory.Event("tx-1"));
        var listed = await pool.Get(Acme with { SecretKey = "other-key" }).Workflows.ListAsync(1);

        Assert.Equal(NovuOutcomeKind.Retryable, outcome.Kind);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal("http://acme-novu.local:3000/v1/events/trigger", handler.Requests[0].Uri.ToString());
        Assert.Equal("ApiKey acme-key", handler.Requests[0].Headers["Authorization"]);
        Assert.Equal("http://acme-novu.local:3000/v2/workflows?limit=1", handler.Requests[1].Uri.ToString());
        Assert.Equal("ApiKey other-key", handler.Requests[1].Headers["Authorization"]);
        Assert.Equal(503, listed.HttpStatus);
    }

    [Fact]
    public void The_same_credentials_share_a_client_new_ones_get_their_own_and_forgotten_ones_are_rebuilt()
    {
        using var host = Build(new FakeNovuHandler(_ => FakeNovuHandler.Processed()));
        var pool = host.Services.GetRequiredService<NovuClientPool>();

        var first = pool.Get(Acme);
        var again = pool.Get(new NovuCredentials(new Uri("http://acme-novu.local:3000"), "acme-key"));
        var otherKey = pool.Get(Acme with { SecretKey = "rotated" });
        pool.Retain([Acme with { SecretKey = "rotated" }]);
        var rebuilt = pool.Get(Acme);

        Assert.Same(first, again);
        Assert.NotSame(first, otherKey);
        Assert.NotSame(first, rebuilt);
        Assert.Same(otherKey, pool.Get(Acme with { SecretKey = "rotated" }));
    }

    [Fact]
    public async Task A_refused_key_is_a_credentials_problem_and_other_refusals_are_not()
    {
        var handler = new FakeNovuHandler(request => FakeNovuHandler.Error(request.RequestUri!.Query.Contains("limit=1", StringComparison.Ordinal) ? 401 : 404));
        using var host = Build(handler);
        var client = host.Services.GetRequiredService<NovuClientPool>().Get(Acme);

        var refused = await client.Workflows.ListAsync(1);
        var missing = await client.Workflows.GetAsync("no-such-workflow");

        Assert.True(refused.CredentialsRefused);
        Assert.False(missing.CredentialsRefused);
    }

    [Fact]
    public void Credentials_never_print_their_secret_key()
    {
        Assert.DoesNotContain("acme-key", Acme.ToString(), StringComparison.Ordinal);
        Assert.Contains("acme-novu.local", Acme.ToString(), StringComparison.Ordinal);
    }

    private static IHost Build(FakeNovuHandler handler)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["XNovu:Novu:ApiUrl"] = "http://shared-novu.local",
            ["XNovu:Novu:SecretKey"] = "shared-key",
        });
        builder.AddServiceDefaults();
        builder.AddNovuClient();
        builder.Services.AddHttpClient(NovuClientPool.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        return builder.Build();
    }
}
