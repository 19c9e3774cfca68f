using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using XNovu.Core.Persistence;

namespace XNovu.Core.Novu;

/// <summary>
/// ASP.NET Core Data Protection for the secrets XNovu stores (enterprises' Novu secret keys), with its key ring
/// in PostgreSQL (<c>notify.data_protection_key</c>), so every API and dispatcher replica, and every restart,
/// reads the same keys. One application name for all of them: what the API encrypts, the dispatcher decrypts.
/// The migrator creates the first key before any service starts; the API adds the next ones ahead of expiry
/// (Data Protection's propagation window); the dispatcher only reads the ring.
/// </summary>
public static class NovuKeyRing
{
    public const string ApplicationName = "xnovu";

    /// <summary>The purpose string of the Novu secret key protector; changing it makes stored keys unreadable.</summary>
    public const string SecretKeyPurpose = "XNovu.Novu.SecretKey.v1";

    public static IDataProtectionBuilder AddXNovuDataProtection(this IServiceCollection services, bool createsKeys, Func<IServiceProvider, NpgsqlDataSource>? dataSource = null)
    {
        var protection = services.AddPostgresDataProtection(
            ApplicationName, KeyRingTable.Services, provider => dataSource?.Invoke(provider) ?? provider.GetRequiredService<XNovuDatabase>().DataSource);
        if (!createsKeys)
        {
            protection.DisableAutomaticKeyGeneration();
        }

        return protection;
    }

    /// <summary>Makes sure the ring holds a usable key (creating one when it is empty or expiring).</summary>
    public static void EnsureKey(IServiceProvider services) =>
        services.GetRequiredService<IDataProtectionProvider>().CreateProtector(SecretKeyPurpose).Protect([0]);
}
