using System.Security.Cryptography;
using System.Text;

namespace XNovu.AppHost.Infrastructure;

/// <summary>
/// Where the local servers keep their data (<c>XNovu:Local:DataPath</c>), so that it survives restarts.
/// The default is per checkout (two clones do not share a cluster) and, as root, outside /root, because
/// PostgreSQL runs as the <c>postgres</c> user and must be able to reach its folder.
/// </summary>
internal sealed record LocalDataPaths(string Root)
{
    public string Postgres => Path.Combine(Root, "postgres");
    public string Redis => Path.Combine(Root, "redis");

    public static LocalDataPaths Resolve(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration["XNovu:Local:DataPath"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new LocalDataPaths(Path.GetFullPath(configured));
        }

        var instance = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.AppHostDirectory)))[..10];
        var baseDirectory = LocalProcess.IsRoot
            ? "/var/lib/xnovu"
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_DATA_HOME")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"),
                "xnovu");
        return new LocalDataPaths(Path.Combine(baseDirectory, instance));
    }
}
