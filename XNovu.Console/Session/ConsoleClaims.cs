using System.Security.Claims;

namespace XNovu.Console.Session;

/// <summary>
/// What the session cookie holds. The keys travel only inside the cookie, which Data Protection encrypts and
/// signs and the browser cannot read (HTTP-only); the pages never render them.
/// </summary>
public static class ConsoleClaims
{
    public const string AdminKey = "xnovu:admin-key";
    public const string EnterpriseKey = "xnovu:enterprise-key";
    public const string EnterpriseId = "xnovu:enterprise-id";
    public const string EnterpriseName = "xnovu:enterprise-name";

    /// <summary>The key the console created for an admin's chosen enterprise, revoked when the admin leaves it.</summary>
    public const string ConsoleKeyId = "xnovu:console-key-id";

    public const string AdminRole = "admin";

    /// <summary>Pages that read or change an enterprise's definitions and notifications.</summary>
    public const string EnterprisePolicy = "enterprise";

    /// <summary>The operator's pages and actions.</summary>
    public const string AdminPolicy = "admin";

    public static bool IsAdmin(this ClaimsPrincipal user) => user.HasClaim(c => c.Type == AdminKey);

    public static bool HasEnterprise(this ClaimsPrincipal user) => user.HasClaim(c => c.Type == EnterpriseKey);

    public static string? EnterpriseLabel(this ClaimsPrincipal user) => user.FindFirstValue(EnterpriseName);
}
