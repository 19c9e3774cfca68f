using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.Layouts;

/// <summary>
/// The SQL of email layouts (issue 30). Like a template, a layout row is its draft and a publish copies it into the next
/// version (<c>ent_layout_version</c>) and makes that version live; a rollback copies an older version back and
/// publishes it as a new one.
/// </summary>
public sealed class LayoutStore(XNovuDatabase database)
{
    /// <summary>Null when the key is taken.</summary>
    internal Task<LayoutRow?> CreateAsync(Guid enterpriseId, LayoutRequest request, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<LayoutRow>(
            $"""
            INSERT INTO notify.ent_email_layout
                (enterprise_id, layout_key, name, header_html, footer_html, logo_url, primary_color, background_color, sender_name)
            VALUES (@enterpriseId, @layoutKey, @name, @headerHtml, @footerHtml, @logoUrl, @primaryColor, @backgroundColor, @senderName)
            ON CONFLICT (enterprise_id, layout_key) DO NOTHING
            RETURNING {LayoutRow.Columns}
            """,
            Parameters(enterpriseId, request.LayoutKey!, request), session.Transaction), cancellationToken);

    internal async Task<IReadOnlyList<LayoutRow>> ListAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<LayoutRow>(
            $"SELECT {LayoutRow.Columns} FROM notify.ent_email_layout ORDER BY layout_key", transaction: session.Transaction), cancellationToken)).AsList();

    internal Task<LayoutRow?> FindAsync(Guid enterpriseId, string layoutKey, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<LayoutRow>(
            $"SELECT {LayoutRow.Columns} FROM notify.ent_email_layout WHERE layout_key = @layoutKey", new { layoutKey }, session.Transaction), cancellationToken);

    internal Task<LayoutRow?> UpdateAsync(Guid enterpriseId, string layoutKey, LayoutRequest request, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<LayoutRow>(
            $"""
            UPDATE notify.ent_email_layout
            SET name = @name, header_html = @headerHtml, footer_html = @footerHtml, logo_url = @logoUrl, primary_color = @primaryColor,
                background_color = @backgroundColor, sender_name = @senderName, updated_at = now()
            WHERE layout_key = @layoutKey
            RETURNING {LayoutRow.Columns}
            """,
            Parameters(enterpriseId, layoutKey, request), session.Transaction), cancellationToken);

    internal Task<LayoutRow?> PublishAsync(Guid enterpriseId, string layoutKey, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => NewVersionAsync(session, layoutKey, note: null), cancellationToken);

    internal Task<LayoutRow?> RollbackAsync(Guid enterpriseId, string layoutKey, int version, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            var restored = await session.Connection.ExecuteAsync(
                """
                UPDATE notify.ent_email_layout l
                SET header_html = v.header_html, footer_html = v.footer_html, logo_url = v.logo_url, primary_color = v.primary_color,
                    background_color = v.background_color, sender_name = v.sender_name, updated_at = now()
                FROM notify.ent_layout_version v
                WHERE l.layout_key = @layoutKey AND v.layout_key = @layoutKey AND v.version = @version
                """,
                new { layoutKey, version }, session.Transaction);
            return restored == 0 ? null : await NewVersionAsync(session, layoutKey, $"rollback to {version}");
        }, cancellationToken);

    internal async Task<IReadOnlyList<LayoutVersionResponse>> ListVersionsAsync(Guid enterpriseId, string layoutKey, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<LayoutVersionResponse>(
            """
            SELECT version, header_html AS HeaderHtml, footer_html AS FooterHtml, logo_url AS LogoUrl, primary_color AS PrimaryColor,
                   background_color AS BackgroundColor, sender_name AS SenderName, note, created_at AS CreatedAt, created_by AS CreatedBy
            FROM notify.ent_layout_version WHERE layout_key = @layoutKey ORDER BY version DESC
            """,
            new { layoutKey }, session.Transaction), cancellationToken)).AsList();

    /// <summary>Whether the enterprise has a layout of that key, for a template that names it.</summary>
    internal static Task<bool> ExistsAsync(TenantSession session, string layoutKey) =>
        session.Connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM notify.ent_email_layout WHERE layout_key = @layoutKey)", new { layoutKey }, session.Transaction);

    /// <summary>Copies the draft into the next version and makes it live; the row is locked first, so two publishes take turns.</summary>
    private static async Task<LayoutRow?> NewVersionAsync(TenantSession session, string layoutKey, string? note)
    {
        await session.Connection.ExecuteAsync(
            "SELECT 1 FROM notify.ent_email_layout WHERE layout_key = @layoutKey FOR UPDATE", new { layoutKey }, session.Transaction);
        return await session.Connection.QuerySingleOrDefaultAsync<LayoutRow>(
            $"""
            WITH d AS (
                SELECT * FROM notify.ent_email_layout WHERE layout_key = @layoutKey
            ), v AS (
                INSERT INTO notify.ent_layout_version
                    (enterprise_id, layout_key, version, header_html, footer_html, logo_url, primary_color, background_color, sender_name, note)
                SELECT d.enterprise_id, d.layout_key,
                       coalesce((SELECT max(version) FROM notify.ent_layout_version WHERE layout_key = @layoutKey), 0) + 1,
                       d.header_html, d.footer_html, d.logo_url, d.primary_color, d.background_color, d.sender_name, @note
                FROM d
                RETURNING version
            )
            UPDATE notify.ent_email_layout SET live_version = (SELECT version FROM v), updated_at = now()
            WHERE layout_key = @layoutKey AND EXISTS (SELECT 1 FROM v)
            RETURNING {LayoutRow.Columns}
            """,
            new { layoutKey, note }, session.Transaction);
    }

    private static object Parameters(Guid enterpriseId, string layoutKey, LayoutRequest request) => new
    {
        enterpriseId,
        layoutKey,
        name = request.Name!.Trim(),
        headerHtml = request.HeaderHtml ?? string.Empty,
        footerHtml = request.FooterHtml ?? string.Empty,
        request.LogoUrl,
        request.PrimaryColor,
        request.BackgroundColor,
        request.SenderName,
    };
}
