using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using XNovu.Core.Persistence;
using XNovu.NovuClient;

namespace XNovu.Core.Novu;

/// <summary>
/// What a Novu event is built from besides the notification itself: the recipients' stored profiles and the
/// enterprise's name, each read in the enterprise's own row-level-security scope, so one tenant's directory can
/// never fill in another's recipient. The dispatcher reads them to send, the API to measure an event at accept.
/// </summary>
public sealed class EventContextStore(XNovuDatabase database)
{
    public async Task<IReadOnlyDictionary<string, NovuSubscriber>> ProfilesAsync(
        Guid enterpriseId, IReadOnlyCollection<string> subscriberIds, CancellationToken cancellationToken)
    {
        if (subscriberIds.Count == 0)
        {
            return new Dictionary<string, NovuSubscriber>(StringComparer.Ordinal);
        }

        var ids = subscriberIds.Distinct(StringComparer.Ordinal).ToArray();
        var rows = await database.InTenantAsync(enterpriseId, async session =>
            await session.Connection.QueryAsync<(string SubscriberId, string? Email, string? Phone, string? FirstName, string? LastName,
                string? Locale, string? Timezone, string? Avatar, string? Data)>(
                """
                SELECT subscriber_id, email, phone, first_name, last_name, locale, timezone, avatar, data::text
                FROM notify.subscriber WHERE subscriber_id = ANY(@ids)
                """,
                new { ids },
                session.Transaction), cancellationToken);
        return rows.ToDictionary(
            row => row.SubscriberId,
            row => new NovuSubscriber
            {
                SubscriberId = row.SubscriberId,
                Email = row.Email,
                Phone = row.Phone,
                FirstName = row.FirstName,
                LastName = row.LastName,
                Locale = row.Locale,
                Timezone = row.Timezone,
                Avatar = row.Avatar,
                Data = row.Data is null ? null : JsonDocument.Parse(row.Data).RootElement.Clone(),
            },
            StringComparer.Ordinal);
    }

    public Task<string?> EnterpriseNameAsync(Guid enterpriseId, CancellationToken cancellationToken) =>
        database.InTenantAsync(enterpriseId, session => session.Connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT name FROM notify.enterprise WHERE id = @enterpriseId", new { enterpriseId }, session.Transaction), cancellationToken);
}

/// <summary>
/// Enterprise names for <c>{{ enterprise.name }}</c> and Novu's <c>tenant</c>, kept a minute in process memory:
/// a rename shows within that time.
/// </summary>
public sealed class EnterpriseNames(EventContextStore store, IMemoryCache memory)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    public async Task<string?> GetAsync(Guid enterpriseId, CancellationToken cancellationToken)
    {
        if (memory.TryGetValue((typeof(EnterpriseNames), enterpriseId), out string? name))
        {
            return name;
        }

        name = await store.EnterpriseNameAsync(enterpriseId, cancellationToken);
        memory.Set((typeof(EnterpriseNames), enterpriseId), name, Lifetime);
        return name;
    }
}
