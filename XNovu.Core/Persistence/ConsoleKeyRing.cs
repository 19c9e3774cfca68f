using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace XNovu.Core.Persistence;

/// <summary>
/// The console's Data Protection (its session cookie and antiforgery tokens) with its key ring in PostgreSQL
/// (<c>notify.console_data_protection_key</c>, migration 0030), read and added by the console's own login,
/// <c>xnovu_console</c>, which reaches nothing else. Every console replica and every restart reads the same
/// ring, so a session signed by one replica is accepted by the others and outlives a restart. The migrator makes
/// the first key, so replicas starting together do not each make their own.
/// </summary>
public static class ConsoleKeyRing
{
    public const string ApplicationName = "xnovu-console";

    /// <summary>The console's connection string (as <c>xnovu_console</c>): <c>ConnectionStrings:xnovu-console</c>.</summary>
    public const string ConnectionStringName = "xnovu-console";

    public static IDataProtectionBuilder AddConsoleDataProtection(this IServiceCollection services, Func<IServiceProvider, NpgsqlDataSource> dataSource) =>
        services.AddPostgresDataProtection(ApplicationName, KeyRingTable.Console, dataSource);

    /// <summary>
    /// Makes sure the console's ring holds a usable key (creating one when it is empty or expiring). Nothing to do
    /// on a schema from before the ring (a migration stopped at an earlier script to rehearse an upgrade).
    /// </summary>
    public static void EnsureKey(NpgsqlDataSource dataSource)
    {
        using (var connection = dataSource.OpenConnection())
        using (var exists = new NpgsqlCommand("SELECT to_regclass('notify.console_data_protection_key') IS NOT NULL", connection))
        {
            if (exists.ExecuteScalar() is not true)
            {
                return;
            }
        }

        var services = new ServiceCollection();
        services.AddConsoleDataProtection(_ => dataSource);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("XNovu.Console.KeyRing.Check").Protect([0]);
    }
}
