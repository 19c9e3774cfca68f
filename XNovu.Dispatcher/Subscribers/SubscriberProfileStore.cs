using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using XNovu.Core.Persistence;
using XNovu.Dispatcher.Dispatch;
using XNovu.NovuClient;

namespace XNovu.Dispatcher.Subscribers;

/// <summary>
/// The stored profiles of a claimed batch's recipients, read in one query per enterprise of the batch (a claim
/// is mostly one enterprise's) under that enterprise's row-level security, so one tenant's directory can
/// never fill in another's recipient.
/// </summary>
public sealed class SubscriberProfileStore(XNovuDatabase database)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyDictionary<(Guid EnterpriseId, string SubscriberId), NovuSubscriber>> LoadAsync(
        IReadOnlyList<ClaimedDelivery> batch, CancellationToken cancellationToken)
    {
        var profiles = new Dictionary<(Guid, string), NovuSubscriber>();
        foreach (var group in batch.Where(d => d.SubscriberId is { Length: > 0 }).GroupBy(d => d.EnterpriseId))
        {
            var ids = group.Select(d => d.SubscriberId!).Distinct(StringComparer.Ordinal).ToArray();
            var rows = await database.InTenantAsync(group.Key, async session =>
                await session.Connection.QueryAsync<(string SubscriberId, string? Email, string? Phone, string? FirstName, string? LastName,
                    string? Locale, string? Timezone, string? Avatar, string? Data)>(
                    """
                    SELECT subscriber_id, email, phone, first_name, last_name, locale, timezone, avatar, data::text
                    FROM notify.subscriber WHERE subscriber_id = ANY(@ids)
                    """,
                    new { ids },
                    session.Transaction), cancellationToken);
            foreach (var row in rows)
            {
                profiles[(group.Key, row.SubscriberId)] = new NovuSubscriber
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
                };
            }
        }

        return profiles;
    }

    /// <summary>
    /// The recipient of one delivery: the stored profile with the trigger's inline values over it, for this
    /// delivery only (custom <c>data</c> merged key by key, inline keys winning).
    /// </summary>
    public static NovuSubscriber Merge(NovuSubscriber? stored, NovuSubscriber inline)
    {
        if (stored is null)
        {
            return inline;
        }

        return new NovuSubscriber
        {
            SubscriberId = inline.SubscriberId,
            Email = inline.Email ?? stored.Email,
            Phone = inline.Phone ?? stored.Phone,
            FirstName = inline.FirstName ?? stored.FirstName,
            LastName = inline.LastName ?? stored.LastName,
            Locale = inline.Locale ?? stored.Locale,
            Timezone = inline.Timezone ?? stored.Timezone,
            Avatar = inline.Avatar ?? stored.Avatar,
            Data = MergeData(stored.Data, inline.Data),
        };
    }

    private static JsonElement? MergeData(JsonElement? stored, JsonElement? inline)
    {
        if (stored is not { ValueKind: JsonValueKind.Object } storedObject)
        {
            return inline;
        }

        if (inline is not { ValueKind: JsonValueKind.Object } inlineObject)
        {
            return stored;
        }

        var merged = JsonNode.Parse(storedObject.GetRawText())!.AsObject();
        foreach (var property in inlineObject.EnumerateObject())
        {
            merged[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }

        return JsonSerializer.SerializeToElement(merged, Json);
    }
}
