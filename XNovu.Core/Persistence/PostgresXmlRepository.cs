using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace XNovu.Core.Persistence;

/// <summary>The Data Protection key rings XNovu keeps in PostgreSQL, each in a table of its own.</summary>
public enum KeyRingTable
{
    /// <summary><c>notify.data_protection_key</c>: the API's and the dispatchers' ring (enterprises' Novu secret keys).</summary>
    Services,

    /// <summary><c>notify.console_data_protection_key</c>: the console's ring (session cookies, antiforgery tokens).</summary>
    Console,
}

/// <summary>Data Protection for one application with its key ring in one of XNovu's tables.</summary>
public static class PostgresKeyRings
{
    /// <summary>
    /// Data Protection under <paramref name="applicationName"/>, its keys in <paramref name="ring"/>. The data source
    /// is resolved at first use (a build-time host may start with no database configured).
    /// </summary>
    public static IDataProtectionBuilder AddPostgresDataProtection(
        this IServiceCollection services, string applicationName, KeyRingTable ring, Func<IServiceProvider, NpgsqlDataSource> dataSource)
    {
        var protection = services.AddDataProtection().SetApplicationName(applicationName);
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, provider) =>
            options.XmlRepository = new PostgresXmlRepository(() => dataSource(provider), ring));
        return protection;
    }
}

/// <summary>
/// Data Protection's <see cref="IXmlRepository"/> over one table; its interface is synchronous. Hand-written:
/// the served package for a database ring (Microsoft.AspNetCore.DataProtection.EntityFrameworkCore) needs EF Core,
/// which nothing else here uses. Keys are only ever added: Data Protection never deletes one, and revocations are
/// elements of their own.
/// </summary>
public sealed class PostgresXmlRepository(Func<NpgsqlDataSource> dataSource, KeyRingTable ring) : IXmlRepository
{
    private readonly string table = ring switch
    {
        KeyRingTable.Services => "notify.data_protection_key",
        KeyRingTable.Console => "notify.console_data_protection_key",
        _ => throw new ArgumentOutOfRangeException(nameof(ring)),
    };

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = dataSource().OpenConnection();
        return connection.Query<string>($"SELECT xml FROM {table} ORDER BY id")
            .Select(xml => XElement.Parse(xml))
            .ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = dataSource().OpenConnection();
        connection.Execute(
            $"INSERT INTO {table} (friendly_name, xml) VALUES (@friendlyName, @xml) ON CONFLICT (friendly_name) DO NOTHING",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
