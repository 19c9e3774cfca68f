using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using XNovu.Core.Persistence;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Console;

/// <summary>
/// The console keeps its Data Protection keys in the database (notify.console_data_protection_key, as
/// xnovu_console): the key that signed a session is in the database ring (not on one process's disk), and any other
/// replica, or the console after a restart, reads the session with it.
/// </summary>
[Collection(AppCollection.Name)]
public sealed partial class ConsoleKeyRingTests(XNovuAppFixture fixture)
{
    // Data Protection's payload: a 4-byte magic header, then the id of the key that protected it.
    private static readonly byte[] MagicHeader = [0x09, 0xF0, 0xC9, 0xF0];

    [Fact]
    public async Task A_session_is_signed_with_a_key_from_the_database_ring_and_another_replica_reads_it()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        using var console = new HttpClient(handler) { BaseAddress = fixture.CreateHttpClient("console").BaseAddress };

        await SignInAsync(console, enterprise.ApiKey);
        var session = cookies.GetCookies(console.BaseAddress!)["xnovu-console"]
            ?? throw new InvalidOperationException("The console set no session cookie.");
        Assert.Equal(HttpStatusCode.OK, (await console.GetAsync("/activity")).StatusCode);

        var keyId = ProtectingKey(session.Value);
        await using (var owner = await fixture.OpenOwnerConnectionAsync())
        {
            await using var find = new NpgsqlCommand("SELECT count(*) FROM notify.console_data_protection_key WHERE xml LIKE '%' || @id || '%'", owner);
            find.Parameters.AddWithValue("id", $"id=\"{keyId}\"");
            Assert.Equal(1L, (long)(await find.ExecuteScalarAsync())!);
        }

        // A second replica (here: this test's own Data Protection over the console's ring, as xnovu_console) reads
        // the session the running console signed: the user's key and enterprise, not a fresh sign-in.
        var services = new ServiceCollection();
        services.AddLogging();
        var ringConnection = await fixture.ConnectionStringAsync("xnovu-console");
        services.AddConsoleDataProtection(_ => NpgsqlDataSource.Create(ringConnection));
        await using var replica = services.BuildServiceProvider();
        var protector = replica.GetRequiredService<IDataProtectionProvider>()
            .CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", CookieAuthenticationDefaults.AuthenticationScheme, "v2");
        var ticket = new TicketDataFormat(protector).Unprotect(session.Value);
        Assert.NotNull(ticket);
        Assert.Contains(ticket.Principal.Claims, claim => claim.Value == enterprise.ApiKey);

        // The control: without the cookie the same page sends the caller to sign in.
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = console.BaseAddress };
        var signedOut = await anonymous.GetAsync("/activity");
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Contains("/signin", signedOut.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_consoles_login_reaches_its_key_ring_and_nothing_else()
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu-console"));
        await connection.OpenAsync();

        await using (var ring = new NpgsqlCommand("SELECT count(*) FROM notify.console_data_protection_key", connection))
        {
            Assert.True((long)(await ring.ExecuteScalarAsync())! >= 1, "the migrator makes the ring's first key");
        }

        foreach (var sql in new[]
        {
            "SELECT count(*) FROM notify.data_protection_key",
            "SELECT count(*) FROM notify.enterprise",
            "SELECT count(*) FROM notify.enterprise_api_key",
            "SELECT count(*) FROM notify.ent_notification",
            "SELECT * FROM notify.find_api_key('x')",
            "UPDATE notify.console_data_protection_key SET xml = xml",
            "DELETE FROM notify.console_data_protection_key",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {refused.SqlState} {refused.MessageText}");
        }
    }

    private static async Task SignInAsync(HttpClient console, string key)
    {
        var form = await console.GetStringAsync("/signin");
        var token = AntiforgeryToken().Match(form);
        Assert.True(token.Success, "the sign-in form carries an antiforgery token");
        using var post = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.Key"] = key,
        });
        var answer = await console.PostAsync("/signin", post);
        Assert.True(answer.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther,
            $"sign-in answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
    }

    /// <summary>The id of the Data Protection key that protected a cookie's value.</summary>
    private static Guid ProtectingKey(string cookie)
    {
        var payload = WebEncoders.Base64UrlDecode(cookie);
        Assert.True(payload.AsSpan(0, 4).SequenceEqual(MagicHeader), "the cookie is a Data Protection payload");
        return new Guid(payload.AsSpan(4, 16));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
