using System.Net;
using System.Net.Sockets;
using XNovu.Core.Webhooks;

namespace XNovu.Dispatcher.Webhooks;

/// <summary>
/// The outbound webhooks' two HTTP clients. The guarded one resolves the endpoint's host itself, keeps only the
/// addresses <see cref="WebhookAddressGuard"/> allows, and connects the socket to one of those: the address checked
/// is the address called, so a DNS answer that changes between check and connect (rebinding) cannot reach an
/// internal one. A host with no allowed address is refused before any connection is tried. The other client is for
/// enterprises whose admin allowed private addresses; kept apart so that no pooled connection made under that
/// allowance is ever reused for an enterprise without it. Neither follows redirects nor uses a proxy (either would
/// send the request somewhere unchecked).
/// </summary>
public sealed class WebhookHttp : IDisposable
{
    public WebhookHttp(TimeSpan timeout, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        var lookup = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));
        Guarded = new HttpClient(Handler(async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await lookup(host, ct);
            var allowed = WebhookAddressGuard.Allowed(addresses, allowPrivate: false);
            if (allowed.Count == 0)
            {
                throw new WebhookAddressRefusedException(
                    $"The endpoint's host {host} resolves to no public address; private, loopback and link-local addresses need the admin's allowance.");
            }

            return await ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
        }), disposeHandler: true) { Timeout = timeout };
        Permissive = new HttpClient(Handler(async (context, ct) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await lookup(host, ct);
            return await ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
        }), disposeHandler: true) { Timeout = timeout };
    }

    public HttpClient Guarded { get; }

    public HttpClient Permissive { get; }

    public HttpClient For(bool allowPrivate) => allowPrivate ? Permissive : Guarded;

    public void Dispose()
    {
        Guarded.Dispose();
        Permissive.Dispose();
    }

    private static SocketsHttpHandler Handler(Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect) => new()
    {
        ConnectCallback = connect,
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        MaxConnectionsPerServer = 256,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    private static async ValueTask<Stream> ConnectAsync(IEnumerable<IPAddress> addresses, int port, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
