using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.NovuSync;

/// <summary>The Novu sync queue as the API sees it: the operator's "sync everything again".</summary>
public sealed class NovuSyncStore(XNovuDatabase database)
{
    /// <summary>Marks every workflow of every enterprise, and every static one, for sync; returns how many.</summary>
    public async Task<int> RequestSyncAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT notify.request_novu_sync_all()", cancellationToken: cancellationToken));
    }
}
