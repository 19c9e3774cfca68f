using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.Localization;

/// <summary>The SQL of an enterprise's default locale and translation catalogs (issue 30), under row-level security.</summary>
public sealed class TranslationStore(XNovuDatabase database)
{
    public Task<string?> GetDefaultLocaleAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteScalarAsync<string?>(
            "SELECT default_locale FROM notify.enterprise WHERE id = @enterpriseId", new { enterpriseId }, session.Transaction), cancellationToken);

    public Task SetDefaultLocaleAsync(Guid enterpriseId, string? locale, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteAsync(
            "UPDATE notify.enterprise SET default_locale = @locale, updated_at = now() WHERE id = @enterpriseId",
            new { enterpriseId, locale }, session.Transaction), cancellationToken);

    internal async Task<IReadOnlyList<TranslationCatalogSummary>> ListAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<(string Locale, string Entries, DateTime UpdatedAt)>(
            "SELECT locale, entries::text, updated_at FROM notify.ent_translation_catalog ORDER BY locale",
            transaction: session.Transaction), cancellationToken))
        .Select(c => new TranslationCatalogSummary(c.Locale, TranslationValidation.CountTexts(c.Entries), c.UpdatedAt))
        .ToList();

    internal Task<TranslationCatalogResponse?> FindAsync(Guid enterpriseId, string locale, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session =>
        {
            var row = await session.Connection.QuerySingleOrDefaultAsync<(string Locale, string Entries, DateTime UpdatedAt, string? UpdatedBy)?>(
                "SELECT locale, entries::text, updated_at, updated_by FROM notify.ent_translation_catalog WHERE locale = @locale",
                new { locale }, session.Transaction);
            return row is { } c ? new TranslationCatalogResponse(c.Locale, System.Text.Json.JsonElement.Parse(c.Entries), c.UpdatedAt, c.UpdatedBy) : null;
        }, cancellationToken);

    /// <summary>Creates or replaces the catalog; true when it was created.</summary>
    internal Task<bool> PutAsync(Guid enterpriseId, string locale, string entries, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.ExecuteScalarAsync<bool>(
            """
            INSERT INTO notify.ent_translation_catalog (enterprise_id, locale, entries)
            VALUES (@enterpriseId, @locale, @entries::jsonb)
            ON CONFLICT (enterprise_id, locale) DO UPDATE SET entries = excluded.entries, updated_at = now()
            RETURNING (xmax = 0)
            """,
            new { enterpriseId, locale, entries }, session.Transaction), cancellationToken);

    internal Task<bool> DeleteAsync(Guid enterpriseId, string locale, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, async session => await session.Connection.ExecuteAsync(
            "DELETE FROM notify.ent_translation_catalog WHERE locale = @locale", new { locale }, session.Transaction) > 0, cancellationToken);
}
