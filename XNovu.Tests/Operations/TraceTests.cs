using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Operations;

[Collection(AppCollection.Name)]
public sealed class TraceTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task One_trace_runs_from_the_trigger_request_through_the_dispatcher_to_the_novu_call()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/trigger")
        {
            Content = JsonContent.Create(TriggerApi.Trigger(to: TriggerApi.Subscriber())),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..16]}-01");

        var answer = await enterprise.Client.SendAsync(request);
        var accepted = (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
        await Harness.WaitForStatusAsync((long)accepted["notificationId"]!, "SENT");
        var received = Assert.Single(await Harness.EventsAsync((string)accepted["transactionId"]!))!;
        var novuCallContext = (string?)received["traceParent"];

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.NotNull(novuCallContext);
        // traceparent = version-traceid-spanid-flags: the Novu call belongs to the trigger request's trace.
        Assert.Equal(traceId, novuCallContext!.Split('-')[1]);
    }
}
