using Dapper;
using XNovu.Core.Novu;
using XNovu.Core.Persistence;

namespace XNovu.Api.Enterprises;

/// <summary>An enterprise's lifecycle as the admin sees it.</summary>
public sealed record EnterpriseStateResponse(
    Guid Id, string Name, string? Description, bool Deactivated, int? MinCronIntervalSeconds, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>
/// The SQL of enterprises. Each enterprise's own id scopes its reads and writes, so a row passes its own
/// row-level-security policy; only the listing crosses enterprises, through its SECURITY DEFINER function.
/// </summary>
public sealed class EnterpriseStore(XNovuDatabase database)
{
    private const string Columns = "id, name, description, deactivated, created_at AS CreatedAt, updated_at AS UpdatedAt";

    public Task<EnterpriseResponse> CreateAsync(Guid id, string name, string? description, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, session => session.Connection.QuerySingleAsync<EnterpriseResponse>(
            $"INSERT INTO notify.enterprise (id, name, description) VALUES (@id, @name, @description) RETURNING {Columns}",
            new { id, name, description },
            session.Transaction), cancellationToken);

    public async Task<IReadOnlyList<EnterpriseResponse>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return (await connection.QueryAsync<EnterpriseResponse>(new CommandDefinition(
            $"SELECT {Columns} FROM notify.list_enterprises()", cancellationToken: cancellationToken))).AsList();
    }

    public Task<EnterpriseResponse?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, session => session.Connection.QuerySingleOrDefaultAsync<EnterpriseResponse>(
            $"SELECT {Columns} FROM notify.enterprise WHERE id = @id AND deleted_at IS NULL", new { id }, session.Transaction), cancellationToken);

    public Task<bool> ExistsAsync(Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, session => ExistsAsync(session, id), cancellationToken);

    /// <summary>Inside a session of that enterprise, so a write can depend on it in the same transaction.</summary>
    public static Task<bool> ExistsAsync(TenantSession session, Guid id) =>
        session.Connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM notify.enterprise WHERE id = @id AND deleted_at IS NULL)", new { id }, session.Transaction);

    private const string StateColumns =
        "id, name, description, deactivated, min_cron_interval_seconds AS MinCronIntervalSeconds, created_at AS CreatedAt, updated_at AS UpdatedAt";

    // Offboarding: renaming, deactivating, reactivating, the CRON floor, and deletion (marked here, purged in
    // batches by notify.purge_enterprise). Rows marked for deletion are invisible, as if already gone.

    public Task<EnterpriseStateResponse?> RenameAsync(Guid id, string? name, string? description, CancellationToken cancellationToken) =>
        UpdateAsync(id, "name = coalesce(@name, name), description = coalesce(@description, description)", new { id, name, description }, cancellationToken);

    public Task<EnterpriseStateResponse?> SetDeactivatedAsync(Guid id, bool deactivated, CancellationToken cancellationToken) =>
        UpdateAsync(id, "deactivated = @deactivated", new { id, deactivated }, cancellationToken);

    public Task<EnterpriseStateResponse?> SetMinCronIntervalAsync(Guid id, int? seconds, CancellationToken cancellationToken) =>
        UpdateAsync(id, "min_cron_interval_seconds = @seconds", new { id, seconds }, cancellationToken);

    /// <summary>
    /// Marks the enterprise deleted (and deactivated, so its keys stop at once) and, in the same transaction, queues
    /// the removal of its subscribers and workflows from Novu; the purge job and the dispatchers do the rest.
    /// </summary>
    public Task<EnterpriseStateResponse?> MarkDeletedAsync(Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, async session =>
        {
            var state = await UpdateAsync(session, id, "deactivated = true, deleted_at = now()", new { id });
            if (state is not null)
            {
                await NovuRemovalStore.EnqueueEnterpriseAsync(session);
            }

            return state;
        }, cancellationToken);

    /// <summary>Issue 32: the enterprise's own retention in days (null: the deployment's); null when there is no such enterprise.</summary>
    public Task<EnterpriseRetentionResponse?> SetRetentionAsync(Guid id, int? days, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, session => session.Connection.QuerySingleOrDefaultAsync<EnterpriseRetentionResponse>(
            "UPDATE notify.enterprise SET retention_days = @days, updated_at = now() WHERE id = @id AND deleted_at IS NULL RETURNING id, retention_days AS RetentionDays",
            new { id, days }, session.Transaction), cancellationToken);

    public Task<EnterpriseRetentionResponse?> RetentionAsync(Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, session => session.Connection.QuerySingleOrDefaultAsync<EnterpriseRetentionResponse>(
            "SELECT id, retention_days AS RetentionDays FROM notify.enterprise WHERE id = @id AND deleted_at IS NULL",
            new { id }, session.Transaction), cancellationToken);

    public Task<int?> MinCronIntervalSecondsAsync(Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, session => session.Connection.QuerySingleOrDefaultAsync<int?>(
            "SELECT min_cron_interval_seconds FROM notify.enterprise WHERE id = @id", new { id }, session.Transaction), cancellationToken);

    /// <summary>The public prefixes of the enterprise's keys, to drop them from the key cache.</summary>
    public Task<IEnumerable<string>> KeyPrefixesAsync(Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, session => session.Connection.QueryAsync<string>(
            "SELECT key_prefix FROM notify.enterprise_api_key", transaction: session.Transaction), cancellationToken);

    public async Task<IReadOnlyList<Guid>> BeingDeletedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return (await connection.QueryAsync<Guid>("SELECT id FROM notify.enterprises_being_deleted()")).AsList();
    }

    /// <summary>One batch: rows deleted, 0 when the enterprise is gone, -1 when what is left is locked for now.</summary>
    public async Task<int> PurgeBatchAsync(Guid id, int batchSize, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenUnscopedAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(
            "SELECT notify.purge_enterprise(@id, @batchSize)", new { id, batchSize });
    }

    private Task<EnterpriseStateResponse?> UpdateAsync(Guid id, string set, object parameters, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, session => UpdateAsync(session, id, set, parameters), cancellationToken);

    private static Task<EnterpriseStateResponse?> UpdateAsync(TenantSession session, Guid id, string set, object parameters) =>
        session.Connection.QuerySingleOrDefaultAsync<EnterpriseStateResponse>(
            $"UPDATE notify.enterprise SET {set}, updated_at = now() WHERE id = @id AND deleted_at IS NULL RETURNING {StateColumns}",
            parameters, session.Transaction);
}
