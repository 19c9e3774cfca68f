using System.Net;
using System.Net.Sockets;
using XNovu.Core.Webhooks;
using XNovu.Dispatcher.Webhooks;

namespace XNovu.Tests.Unit.Webhooks;

/// <summary>
/// Issue 28: the outbound webhooks' guard against server-side request forgery. A refused address is refused before
/// any connection is tried (a listener on loopback sees none), and the connection goes to the address that was
/// checked: a name that resolves to a public address at check and a private one later cannot be reached through it.
/// </summary>
public sealed class WebhookAddressGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.100.100.200")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("224.0.0.1")]
    public void Loopback_private_link_local_and_metadata_addresses_are_not_public(string address) =>
        Assert.False(WebhookAddressGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void Public_addresses_are_public(string address) => Assert.True(WebhookAddressGuard.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task A_loopback_endpoint_is_refused_before_any_connection_is_tried()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var http = new WebhookHttp(TimeSpan.FromSeconds(5));

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.Guarded.PostAsync($"http://127.0.0.1:{port}/hook", new StringContent("{}")));
        var named = await Assert.ThrowsAsync<HttpRequestException>(() => http.Guarded.PostAsync($"http://localhost:{port}/hook", new StringContent("{}")));

        Assert.IsType<WebhookAddressRefusedException>(refused.InnerException ?? refused);
        Assert.IsType<WebhookAddressRefusedException>(named.InnerException ?? named);
        Assert.False(listener.Pending(), "A connection reached the listener.");
    }

    [Fact]
    public async Task With_the_admins_allowance_the_same_endpoint_is_called()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var http = new WebhookHttp(TimeSpan.FromSeconds(2));

        _ = http.Permissive.PostAsync($"http://127.0.0.1:{port}/hook", new StringContent("{}"));
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(accepted.Connected);
    }

    [Fact]
    public async Task The_connection_goes_to_the_address_checked_not_to_a_second_answer()
    {
        // A rebinding name: public at the first lookup, loopback at any later one. The guard resolves once and
        // connects to what it checked; here that public address is unroutable (TEST-NET-3), so the call fails to
        // connect, and the loopback listener behind the second answer never sees a connection.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var lookups = 0;
        using var http = new WebhookHttp(TimeSpan.FromSeconds(2), (_, _) =>
            Task.FromResult(Interlocked.Increment(ref lookups) == 1 ? new[] { IPAddress.Parse("203.0.113.7") } : [IPAddress.Loopback]));

        await Assert.ThrowsAnyAsync<Exception>(() => http.Guarded.PostAsync($"http://rebind.example.test:{port}/hook", new StringContent("{}")));

        Assert.Equal(1, lookups);
        Assert.False(listener.Pending(), "A connection reached the loopback listener.");
    }
}
