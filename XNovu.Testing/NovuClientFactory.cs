using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using XNovu.NovuClient;

namespace XNovu.Testing;

/// <summary>A client over a fake handler, built from the same parts the DI registration uses.</summary>
public static class NovuClientFactory
{
    public const string SecretKey = "sk_test_123";
    public static readonly Uri ApiUrl = new("https://api.novu.test/");

    public static NovuRestClient Create(FakeNovuHandler handler, TimeProvider? time = null, double requestsPerSecond = 6000, TimeSpan? timeout = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = Options.Create(new NovuClientOptions
        {
            ApiUrl = ApiUrl,
            SecretKey = SecretKey,
            RequestsPerSecond = requestsPerSecond,
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        });
        var http = new HttpClient(handler) { BaseAddress = ApiUrl, Timeout = options.Value.Timeout };
        return new NovuRestClient(http, options, new NovuTriggerThrottle(options, time), time);
    }

    public static TriggerRequest Event(string transactionId, string workflow = "welcome", string subscriberId = "sub-1") => new()
    {
        Name = workflow,
        To = [subscriberId],
        TransactionId = transactionId,
    };
}
