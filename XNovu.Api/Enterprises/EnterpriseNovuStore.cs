using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.Enterprises;

/// <summary>An enterprise's own Novu environment as the admin sees it: the key itself never leaves the store.</summary>
public sealed record EnterpriseNovuRow(string ApiUrl, DateTime UpdatedAt);

/// <summary>
/// The SQL of <c>notify.enterprise_novu</c>, in the enterprise's own scope. A write's trigger
/// (<c>notify.enterprise_novu_changed</c>) re-syncs the enterprise's workflows, wakes its paused deliveries and
/// tells every dispatcher, in the same transaction.
/// </summary>
public sealed class EnterpriseNovuStore(XNovuDatabase database)
{
    /// <summary>Whether the enterprise exists, and its own environment if it has one.</summary>
    public Task<(bool Exists, EnterpriseNovuRow? Own)> GetAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync<(bool Exists, EnterpriseNovuRow? Own)>(enterpriseId, async session =>
        {
            if (!await EnterpriseStore.ExistsAsync(session, enterpriseId))
            {
                return (false, null);
            }

            var own = await session.Connection.QuerySingleOrDefaultAsync<EnterpriseNovuRow>(
                "SELECT api_url AS ApiUrl, updated_at AS UpdatedAt FROM notify.enterprise_novu WHERE enterprise_id = @enterpriseId",
                new { enterpriseId }, session.Transaction);
            return (true, own);
        }, cancellationToken);

    /// <summary>Sets the environment; <paramref name="protectedKey"/> is already encrypted. Null: no such enterprise.</summary>
    public Task<EnterpriseNovuRow?> SetAsync(Guid enterpriseId, string apiUrl, string protectedKey, CancellationToken cancellationToken) =>
        database.InTenantAsync<EnterpriseNovuRow?>(enterpriseId, async session =>
        {
            if (!await EnterpriseStore.ExistsAsync(session, enterpriseId))
            {
                return null;
            }

            return await session.Connection.QuerySingleAsync<EnterpriseNovuRow>(
                """
                INSERT INTO notify.enterprise_novu (enterprise_id, api_url, secret_key) VALUES (@enterpriseId, @apiUrl, @protectedKey)
                ON CONFLICT (enterprise_id) DO UPDATE
                    SET api_url = excluded.api_url, secret_key = excluded.secret_key, updated_at = clock_timestamp()
                RETURNING api_url AS ApiUrl, updated_at AS UpdatedAt
                """,
                new { enterpriseId, apiUrl, protectedKey }, session.Transaction);
        }, cancellationToken);

    /// <summary>Back to the shared environment. False: no such enterprise.</summary>
    public Task<bool> DeleteAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            if (!await EnterpriseStore.ExistsAsync(session, enterpriseId))
            {
                return false;
            }

            await session.Connection.ExecuteAsync(
                "DELETE FROM notify.enterprise_novu WHERE enterprise_id = @enterpriseId", new { enterpriseId }, session.Transaction);
            return true;
        }, cancellationToken);
}
