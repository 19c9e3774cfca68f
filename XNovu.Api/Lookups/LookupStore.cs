using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Core.Persistence;

namespace XNovu.Api.Lookups;

/// <summary>Which code list a lookup route serves: each is its own table, with the same columns.</summary>
public enum LookupKind
{
    Category,
    Priority,
}

/// <summary>
/// The SQL of categories and priorities, each per enterprise. Row-level security scopes every statement to
/// the session's enterprise, so another enterprise's code is unknown here.
/// </summary>
public sealed class LookupStore(XNovuDatabase database)
{
    private const string Columns = "id, code, name, description, sort_order AS SortOrder, created_at AS CreatedAt, updated_at AS UpdatedAt";

    /// <summary>The created row; null when the enterprise already has the code.</summary>
    public Task<LookupResponse?> CreateAsync(Guid enterpriseId, LookupKind kind, LookupRequest request, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<LookupResponse>(
            $"""
            INSERT INTO {Table(kind)} (enterprise_id, code, name, description, sort_order)
            VALUES (@enterpriseId, @code, @name, @description, @sortOrder)
            ON CONFLICT (enterprise_id, code) DO NOTHING
            RETURNING {Columns}
            """,
            new { enterpriseId, code = request.Code!.Trim(), name = request.Name!.Trim(), request.Description, sortOrder = request.SortOrder ?? 0 },
            session.Transaction), cancellationToken);

    public async Task<IReadOnlyList<LookupResponse>> ListAsync(Guid enterpriseId, LookupKind kind, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<LookupResponse>(
            $"SELECT {Columns} FROM {Table(kind)} ORDER BY sort_order, code", transaction: session.Transaction), cancellationToken)).AsList();

    public Task<LookupResponse?> FindAsync(Guid enterpriseId, LookupKind kind, string code, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<LookupResponse>(
            $"SELECT {Columns} FROM {Table(kind)} WHERE code = @code", new { code }, session.Transaction), cancellationToken);

    /// <summary>The updated row; null when the enterprise has no such code.</summary>
    public Task<LookupResponse?> UpdateAsync(Guid enterpriseId, LookupKind kind, string code, LookupRequest request, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<LookupResponse>(
            $"""
            UPDATE {Table(kind)}
            SET name = @name, description = @description, sort_order = coalesce(@sortOrder, sort_order), updated_at = now()
            WHERE code = @code
            RETURNING {Columns}
            """,
            new { code, name = request.Name!.Trim(), request.Description, request.SortOrder },
            session.Transaction), cancellationToken);

    /// <summary>False when the enterprise has no such code.</summary>
    public async Task<bool> DeleteAsync(Guid enterpriseId, LookupKind kind, string code, CancellationToken cancellationToken) =>
        await database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteAsync(
            $"DELETE FROM {Table(kind)} WHERE code = @code", new { code }, session.Transaction), cancellationToken) > 0;

    /// <summary>
    /// The id of the enterprise's category with <paramref name="code"/>; an unknown code is a field error.
    /// The session's enterprise scopes the lookup, so another enterprise's category is unknown too.
    /// </summary>
    public static async Task<(long? Id, ProblemHttpResult? Problem)> ResolveCategoryAsync(TenantSession session, string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return (null, null);
        }

        var id = await session.Connection.QuerySingleOrDefaultAsync<long?>(
            "SELECT id FROM notify.typ_notification_category WHERE code = @code", new { code }, session.Transaction);
        return id is null
            ? (null, Problems.Validation("categoryCode", $"names no category of this enterprise ('{code}')."))
            : (id, null);
    }

    private static string Table(LookupKind kind) => kind switch
    {
        LookupKind.Category => "notify.typ_notification_category",
        LookupKind.Priority => "notify.typ_notification_priority",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
