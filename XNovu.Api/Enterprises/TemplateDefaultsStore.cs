using Dapper;
using XNovu.Core.Persistence;

namespace XNovu.Api.Enterprises;

/// <summary>The SQL of the enterprise's template defaults.</summary>
public sealed class TemplateDefaultsStore(XNovuDatabase database)
{
    public Task<bool?> GetAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<bool?>(
            "SELECT template_payload_at_root FROM notify.enterprise WHERE id = @enterpriseId",
            new { enterpriseId }, session.Transaction), cancellationToken);

    /// <summary>Sets the default; answers the keys of the templates that follow it, or null for no such enterprise.</summary>
    public Task<IReadOnlyList<string>?> SetAsync(Guid enterpriseId, bool payloadAtRoot, CancellationToken cancellationToken) =>
        database.InTenantAsync<IReadOnlyList<string>?>(enterpriseId, async session =>
        {
            var updated = await session.Connection.ExecuteAsync(
                "UPDATE notify.enterprise SET template_payload_at_root = @payloadAtRoot, updated_at = now() WHERE id = @enterpriseId",
                new { enterpriseId, payloadAtRoot }, session.Transaction);
            if (updated == 0)
            {
                return null;
            }

            return (await session.Connection.QueryAsync<string>(
                "SELECT template_key FROM notify.ent_notification_template WHERE payload_at_root IS NULL",
                transaction: session.Transaction)).ToList();
        }, cancellationToken);
}
