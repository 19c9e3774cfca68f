using System.Net;
using System.Net.Sockets;

namespace XNovu.Core.Webhooks;

/// <summary>A webhook endpoint's address that the guard refused: nothing was sent, no connection was tried.</summary>
public sealed class WebhookAddressRefusedException(string message) : HttpRequestException(message);

/// <summary>
/// Server-side request forgery guard for outbound webhooks (issue 28): which addresses a tenant's endpoint may
/// reach. Refused unless the admin allows it for the enterprise: loopback, private (RFC 1918, IPv6 unique local),
/// link-local (which holds the clouds' metadata service, 169.254.169.254), shared address space (100.64/10, where
/// some clouds put theirs), unspecified, multicast and broadcast; an IPv4-mapped IPv6 address is judged as IPv4.
/// </summary>
public static class WebhookAddressGuard
{
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0                                  // "this network", 0.0.0.0
                || b[0] == 10                                   // private
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)   // shared address space (CGNAT, some metadata services)
                || b[0] == 127                                  // loopback
                || (b[0] == 169 && b[1] == 254)                 // link-local, cloud metadata
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)    // private
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)      // IETF protocol assignments
                || (b[0] == 192 && b[1] == 168)                 // private
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19))  // benchmarking
                || b[0] >= 224);                                // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xfe) == 0xfc                        // unique local fc00::/7 (AWS metadata fd00:ec2::254)
                || address.IsIPv6Teredo
                || (b[0] == 0x20 && b[1] == 0x02));             // 6to4 embeds any IPv4, private ones included
        }

        return false;
    }

    /// <summary>The addresses of <paramref name="addresses"/> that may be called; empty when none may.</summary>
    public static IReadOnlyList<IPAddress> Allowed(IEnumerable<IPAddress> addresses, bool allowPrivate) =>
        addresses.Where(a => allowPrivate || IsPublic(a)).ToList();
}
