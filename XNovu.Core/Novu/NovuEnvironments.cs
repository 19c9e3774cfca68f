using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XNovu.NovuClient;

namespace XNovu.Core.Novu;

/// <summary>
/// One Novu environment XNovu delivers through: the shared one (<c>XNovu:Novu</c>) or an enterprise's own.
/// <see cref="Client"/> is null when the stored key cannot be decrypted (<see cref="Problem"/> says so); such an
/// environment is treated as one whose credentials Novu refuses. A new object stands for new credentials, so
/// its pause (see <see cref="Pause"/>) ends when the credentials change.
/// </summary>
public sealed class NovuEnvironment
{
    private long _pausedUntilTicks;

    internal NovuEnvironment(Guid? enterpriseId, Uri apiUrl, INovuClient? client, string version, string? problem = null)
    {
        EnterpriseId = enterpriseId;
        ApiUrl = apiUrl;
        Client = client;
        Version = version;
        Problem = problem;
    }

    /// <summary>The enterprise whose own environment this is; null for the shared one.</summary>
    public Guid? EnterpriseId { get; }

    public bool IsShared => EnterpriseId is null;

    /// <summary>"shared", or the enterprise id (32 hex): a key for caches and a label for logs and health.</summary>
    public string Name => EnterpriseId is { } id ? id.ToString("N") : "shared";

    public Uri ApiUrl { get; }

    /// <summary>Novu's base URL as an operator may see it: no user info, query or fragment.</summary>
    public string DisplayUrl => new UriBuilder(ApiUrl) { UserName = string.Empty, Password = string.Empty, Query = string.Empty, Fragment = string.Empty }
        .Uri.GetLeftPart(UriPartial.Path);

    public INovuClient? Client { get; }

    internal NovuCredentials? Credentials { get; init; }

    /// <summary>Why there is no client (the stored key cannot be decrypted); never the key.</summary>
    public string? Problem { get; }

    /// <summary>Changes whenever the credentials do: caches of checks against this environment key on it.</summary>
    public string Version { get; }

    /// <summary>Until when sends to this environment are held, after Novu refused the credentials.</summary>
    public DateTimeOffset? PausedUntil
    {
        get
        {
            var ticks = Interlocked.Read(ref _pausedUntilTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public bool IsPaused(DateTimeOffset now) => PausedUntil is { } until && until > now;

    public void Pause(DateTimeOffset until) => Interlocked.Exchange(ref _pausedUntilTicks, until.UtcTicks);
}

/// <summary>Bound from <c>XNovu:NovuEnvironments</c>.</summary>
public sealed class NovuEnvironmentOptions
{
    public const string SectionName = "XNovu:NovuEnvironments";

    /// <summary>How long a process trusts its copy of the enterprises' environments when no change notice came.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Which Novu environment, and so which client, serves an enterprise: its own when the admin gave it one
/// (<c>PUT /api/admin/enterprises/{id}/novu</c>), else the shared one. Every enterprise's environment is read
/// in one query and kept for <see cref="NovuEnvironmentOptions.RefreshInterval"/>, or until
/// <see cref="Invalidate"/> (a NOTIFY <c>xnovu_novu_environment</c> in the dispatcher, the admin's write in the
/// API). Keys are decrypted here and handed only to <see cref="NovuClientPool"/>; they are never logged.
/// </summary>
public sealed partial class NovuEnvironments
{
    private readonly NovuEnvironmentStore _store;
    private readonly NovuClientPool _pool;
    private readonly IDataProtector _protector;
    private readonly IOptions<NovuEnvironmentOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NovuEnvironments> _logger;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile Snapshot? _snapshot;
    private IReadOnlyDictionary<Guid, NovuEnvironment> _last = new Dictionary<Guid, NovuEnvironment>();

    public NovuEnvironments(
        NovuEnvironmentStore store,
        INovuClient shared,
        IOptions<NovuClientOptions> sharedOptions,
        NovuClientPool pool,
        IDataProtectionProvider protection,
        IOptions<NovuEnvironmentOptions> options,
        TimeProvider time,
        ILogger<NovuEnvironments> logger)
    {
        _store = store;
        _pool = pool;
        _protector = protection.CreateProtector(NovuKeyRing.SecretKeyPurpose);
        _options = options;
        _time = time;
        _logger = logger;
        Shared = new NovuEnvironment(null, sharedOptions.Value.ApiUrl, shared, "shared");
    }

    public NovuEnvironment Shared { get; }

    /// <summary>Encrypts a secret key for storage.</summary>
    public string Protect(string secretKey) => _protector.Protect(secretKey);

    public async ValueTask<NovuEnvironment> ForEnterpriseAsync(Guid enterpriseId, CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken);
        return snapshot.Own.TryGetValue(enterpriseId, out var own) ? own : Shared;
    }

    /// <summary>The shared environment first, then every enterprise's own.</summary>
    public async Task<IReadOnlyList<NovuEnvironment>> AllAsync(CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken);
        return [Shared, .. snapshot.Own.Values.OrderBy(e => e.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// An enterprise's own environment from credentials kept elsewhere (a deleted enterprise's, copied into the
    /// removal queue): not cached here, and its client is null when the key cannot be decrypted.
    /// </summary>
    public NovuEnvironment FromStored(Guid enterpriseId, string apiUrl, string encryptedSecretKey) =>
        Build(new StoredNovuEnvironment(enterpriseId, apiUrl, encryptedSecretKey, default), $"{enterpriseId:N}@stored");

    /// <summary>The next lookup reads the database again.</summary>
    public void Invalidate() => _snapshot = null;

    private async ValueTask<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_snapshot is { } fresh && now - fresh.LoadedAt < _options.Value.RefreshInterval)
        {
            return fresh;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_snapshot is { } loaded && now - loaded.LoadedAt < _options.Value.RefreshInterval)
            {
                return loaded;
            }

            var previous = _last;
            var rows = await _store.AllAsync(cancellationToken);
            var own = new Dictionary<Guid, NovuEnvironment>(rows.Count);
            foreach (var row in rows)
            {
                var version = $"{row.EnterpriseId:N}@{row.UpdatedAt.Ticks}";
                // Unchanged credentials keep their environment object, and with it a pause in force.
                own[row.EnterpriseId] = previous.TryGetValue(row.EnterpriseId, out var known) && known.Version == version
                    ? known
                    : Build(row, version);
            }

            _pool.Retain(own.Values.Select(e => e.Credentials).OfType<NovuCredentials>().ToList());
            _last = own;
            var snapshot = new Snapshot(own, _time.GetUtcNow());
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _loading.Release();
        }
    }

    private NovuEnvironment Build(StoredNovuEnvironment row, string version)
    {
        var url = new Uri(row.ApiUrl);
        try
        {
            var credentials = new NovuCredentials(url, _protector.Unprotect(row.SecretKey));
            return new NovuEnvironment(row.EnterpriseId, url, _pool.Get(credentials), version) { Credentials = credentials };
        }
        catch (CryptographicException)
        {
            // The key ring lost the key it was encrypted with: the admin must set the key again.
            LogUndecryptable(_logger, row.EnterpriseId);
            return new NovuEnvironment(row.EnterpriseId, url, null, version, "the stored secret key cannot be decrypted; set it again");
        }
    }

    private sealed record Snapshot(IReadOnlyDictionary<Guid, NovuEnvironment> Own, DateTimeOffset LoadedAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Novu secret key of enterprise {EnterpriseId} cannot be decrypted; its deliveries are paused until it is set again")]
    private static partial void LogUndecryptable(ILogger logger, Guid enterpriseId);
}

public static class NovuEnvironmentExtensions
{
    /// <summary>
    /// The Novu client per environment (<see cref="NovuEnvironments"/>), over the shared client of
    /// <c>AddNovuClient</c> and Data Protection with its ring in PostgreSQL.
    /// </summary>
    /// <param name="createsKeys">The API adds ring keys ahead of expiry; the dispatcher only reads them.</param>
    public static IHostApplicationBuilder AddXNovuNovuEnvironments(this IHostApplicationBuilder builder, bool createsKeys)
    {
        builder.AddNovuClient();
        builder.Services.AddXNovuDataProtection(createsKeys);
        builder.Services.AddOptions<NovuEnvironmentOptions>()
            .BindConfiguration(NovuEnvironmentOptions.SectionName)
            .Validate(o => o.RefreshInterval >= TimeSpan.FromSeconds(1), $"{NovuEnvironmentOptions.SectionName}:RefreshInterval must be at least 1 second.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<NovuEnvironmentStore>();
        builder.Services.TryAddSingleton<NovuEnvironments>();
        return builder;
    }
}
