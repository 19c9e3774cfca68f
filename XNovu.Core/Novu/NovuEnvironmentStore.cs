using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Core.Novu;

/// <summary>An enterprise's own Novu environment as stored: the secret key is Data Protection's ciphertext.</summary>
public sealed record StoredNovuEnvironment(Guid EnterpriseId, string ApiUrl, string SecretKey, DateTime UpdatedAt);

/// <summary>Reads every enterprise's own Novu environment, through <c>notify.novu_environments()</c> (0017).</summary>
public sealed class NovuEnvironmentStore(XNovuDatabase database)
{
    public async Task<IReadOnlyList<StoredNovuEnvironment>> AllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredNovuEnvironment>(new CommandDefinition(
            "SELECT enterprise_id AS EnterpriseId, api_url AS ApiUrl, secret_key AS SecretKey, updated_at AS UpdatedAt FROM notify.novu_environments()",
            cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
