using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.Enterprises;

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
            $"SELECT {Columns} FROM notify.enterprise WHERE id = @id", new { id }, session.Transaction), cancellationToken);

    public Task<bool> ExistsAsync(Guid id, CancellationToken cancellationToken) =>
        database.InTenantAsync(id, session => ExistsAsync(session, id), cancellationToken);

    /// <summary>Inside a session of that enterprise, so a write can depend on it in the same transaction.</summary>
    public static Task<bool> ExistsAsync(TenantSession session, Guid id) =>
        session.Connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM notify.enterprise WHERE id = @id)", new { id }, session.Transaction);
}
