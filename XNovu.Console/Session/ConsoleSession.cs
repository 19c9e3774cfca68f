using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using XNovu.Console.Api;

namespace XNovu.Console.Session;

/// <summary>Starts, narrows and ends a console session; the cookie is its only store.</summary>
public static class ConsoleSession
{
    public static Task SignInAsync(HttpContext http, IEnumerable<Claim> claims, AuthenticationProperties? properties = null)
    {
        var identity = new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role);
        return http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity), properties);
    }

    public static Task SignInEnterpriseAsync(HttpContext http, string key) =>
        SignInAsync(http, [new Claim(ClaimTypes.Name, "enterprise key " + KeyPrefix(key)), new Claim(ConsoleClaims.EnterpriseKey, key)]);

    public static Task SignInAdminAsync(HttpContext http, string key) =>
        SignInAsync(http, [new Claim(ClaimTypes.Name, "admin"), new Claim(ConsoleClaims.AdminKey, key)]);

    /// <summary>
    /// An admin acts in an enterprise through a key the console creates for it (the API gives the admin key no
    /// enterprise scope), and revokes when the admin signs out or picks another enterprise. The key expires after
    /// <see cref="ConsoleOptions.SessionKeyLifetime"/> at the API itself, so an admin who never signs out leaves
    /// no working key behind, even if the console is gone; the session ends with it.
    /// </summary>
    public static async Task UseEnterpriseAsync(HttpContext http, IConsoleApi api, EnterpriseItem enterprise, ILogger logger)
    {
        await RevokeConsoleKeyAsync(http.User, api, logger, http.RequestAborted);
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var expiresAt = now + http.RequestServices.GetRequiredService<ConsoleOptions>().SessionKeyLifetime;
        var created = await api.CreateApiKeyAsync(enterprise.Id, $"console session ({now.UtcDateTime:yyyy-MM-dd HH:mm} UTC)", expiresAt, http.RequestAborted);
        var adminKey = http.User.FindFirstValue(ConsoleClaims.AdminKey)!;
        await SignInAsync(http,
        [
            new Claim(ClaimTypes.Name, "admin"),
            new Claim(ConsoleClaims.AdminKey, adminKey),
            new Claim(ConsoleClaims.EnterpriseKey, created.Key),
            new Claim(ConsoleClaims.EnterpriseId, enterprise.Id.ToString()),
            new Claim(ConsoleClaims.EnterpriseName, enterprise.Name),
            new Claim(ConsoleClaims.ConsoleKeyId, created.Id.ToString()),
        ],
        new AuthenticationProperties { ExpiresUtc = expiresAt, AllowRefresh = false });
    }

    public static async Task RevokeConsoleKeyAsync(ClaimsPrincipal user, IConsoleApi api, ILogger logger, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(user.FindFirstValue(ConsoleClaims.EnterpriseId), out var enterpriseId)
            && Guid.TryParse(user.FindFirstValue(ConsoleClaims.ConsoleKeyId), out var keyId))
        {
            try
            {
                await api.RevokeApiKeyAsync(enterpriseId, keyId, cancellationToken);
            }
            catch (ApiProblemException ex)
            {
                // Signing out must not fail because the API is down; the key stays listed for the admin to revoke.
                logger.LogWarning("Could not revoke the console's key {KeyId}: {Problem}", keyId, ex.Message);
            }
        }
    }

    /// <summary>Enough of a key to tell keys apart on screen, never enough to use.</summary>
    public static string KeyPrefix(string key) => key.Length <= 8 ? "…" : key[..8] + "…";
}
