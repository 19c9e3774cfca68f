using Dapper;
using XNovu.Api.Audit;
using XNovu.Api.Enterprises;
using XNovu.Core.Persistence;

namespace XNovu.Api.Authentication;

/// <summary>An enterprise key as the SECURITY DEFINER lookup answers it: enough to check it, nothing more.</summary>
public sealed record ApiKeyRecord(Guid Id, Guid EnterpriseId, byte[] KeyHash, bool Revoked, bool EnterpriseDeactivated, DateTime? ExpiresAt)
{
    /// <summary>The one rule for whether a key still works: not revoked, and not past its expiry at <paramref name="now"/>.</summary>
    public bool WorksAt(DateTimeOffset now) => !Revoked && (ExpiresAt is not { } expires || now < new DateTimeOffset(DateTime.SpecifyKind(expires, DateTimeKind.Utc)));
}

/// <summary>
/// The SQL of enterprise API keys: the admin writes them per enterprise, each write recorded in the enterprise's audit
/// trail in its own transaction (<see cref="AuditStore.RecordAsync"/>); authentication finds them by prefix.
/// </summary>
public sealed class ApiKeyStore(XNovuDatabase database)
{
    /// <summary>When the key was created; null when the enterprise does not exist.</summary>
    public Task<DateTime?> CreateAsync(
        Guid enterpriseId, Guid keyId, string name, string prefix, byte[] hash, DateTime? expiresAt, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            if (!await EnterpriseStore.ExistsAsync(session, enterpriseId))
            {
                return null;
            }

            var createdAt = await session.Connection.QuerySingleAsync<DateTime?>(
                """
                INSERT INTO notify.enterprise_api_key (id, enterprise_id, name, key_prefix, key_hash, expires_at)
                VALUES (@keyId, @enterpriseId, @name, @prefix, @hash, @expiresAt)
                RETURNING created_at
                """,
                new { keyId, enterpriseId, name, prefix, hash, expiresAt },
                session.Transaction);
            await AuditStore.RecordAsync(session, AuditedWrite.Of(AuditedWrite.ApiKey, keyId.ToString(), AuditedWrite.Created));
            return createdAt;
        }, cancellationToken);

    public async Task<IReadOnlyList<ApiKeyResponse>> ListAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<ApiKeyResponse>(
            "SELECT id, name, key_prefix AS Prefix, created_at AS CreatedAt, revoked_at AS RevokedAt, expires_at AS ExpiresAt FROM notify.enterprise_api_key ORDER BY created_at, id",
            transaction: session.Transaction), cancellationToken)).AsList();

    /// <summary>The revoked key's prefix (revoking twice keeps the first time); null when the enterprise has no such key.</summary>
    public Task<string?> RevokeAsync(Guid enterpriseId, Guid keyId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            var prefix = await session.Connection.QuerySingleOrDefaultAsync<string>(
                "UPDATE notify.enterprise_api_key SET revoked_at = coalesce(revoked_at, now()) WHERE id = @keyId RETURNING key_prefix",
                new { keyId },
                session.Transaction);
            if (prefix is not null)
            {
                await AuditStore.RecordAsync(session, AuditedWrite.Of(AuditedWrite.ApiKey, keyId.ToString(), AuditedWrite.Deleted));
            }

            return prefix;
        }, cancellationToken);

    /// <summary>Across enterprises, through the one SECURITY DEFINER function that may: the caller is not yet known.</summary>
    public async Task<ApiKeyRecord?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(new CommandDefinition(
            "SELECT id, enterprise_id AS EnterpriseId, key_hash AS KeyHash, revoked, enterprise_deactivated AS EnterpriseDeactivated, expires_at AS ExpiresAt FROM notify.find_api_key(@prefix)",
            new { prefix },
            cancellationToken: cancellationToken));
    }
}
