using System.Text.RegularExpressions;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Operations;

/// <summary>Keys and passwords never reach a service's log, even when a notification goes all the way to Novu.</summary>
[Collection(AppCollection.Name)]
public sealed partial class SecretsInLogsTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task Service_logs_hold_no_admin_key_api_key_novu_secret_or_database_password()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Trigger());
        await Eventually.WaitForAsync(
            async () => (string?)(await enterprise.Client.NotificationAsync(accepted.Id()))["status"],
            status => status == "SENT",
            TimeSpan.FromSeconds(60),
            "the notification to be SENT");
        using var admin = fixture.CreateAdminClient();
        await admin.PostAsync("/api/admin/operations/reload-rules", null);
        await enterprise.Client.GetAsync("/api/templates/cache");
        var password = PasswordPattern().Match(await fixture.ConnectionStringAsync("xnovu-app")).Groups["password"].Value;
        Assert.NotEmpty(password);
        await Task.Delay(TimeSpan.FromSeconds(2)); // console output reaches the files a moment later

        var secrets = new Dictionary<string, string>
        {
            ["admin key"] = XNovuAppFixture.AdminKey,
            ["enterprise API key"] = enterprise.ApiKey,
            ["Novu emulator secret"] = "xnovu-emulator-secret-key",
            ["xnovu-app password"] = password,
        };
        var files = Directory.GetFiles(fixture.LogPath, "*.log");
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("api", StringComparison.Ordinal));

        var leaks = (
            from file in files
            let text = ReadShared(file)
            from secret in secrets
            where text.Contains(secret.Value, StringComparison.Ordinal)
            select $"{secret.Key} in {Path.GetFileName(file)}").ToList();

        Assert.True(leaks.Count == 0, string.Join("; ", leaks));
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex("(?:^|;)\\s*Password=(?<password>[^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPattern();
}
