using XNovu.Core.Novu;
using XNovu.Dispatcher.Dispatch;
using XNovu.NovuClient;

namespace XNovu.Dispatcher.Subscribers;

/// <summary>
/// The stored profiles of a claimed batch's recipients, read in one query per enterprise of the batch (a claim
/// is mostly one enterprise's) under that enterprise's row-level security (<see cref="EventContextStore"/>).
/// </summary>
public sealed class SubscriberProfileStore(EventContextStore store)
{
    public async Task<IReadOnlyDictionary<(Guid EnterpriseId, string SubscriberId), NovuSubscriber>> LoadAsync(
        IReadOnlyList<ClaimedDelivery> batch, CancellationToken cancellationToken)
    {
        var profiles = new Dictionary<(Guid, string), NovuSubscriber>();
        foreach (var group in batch.Where(d => d.SubscriberId is { Length: > 0 }).GroupBy(d => d.EnterpriseId))
        {
            var stored = await store.ProfilesAsync(group.Key, group.Select(d => d.SubscriberId!).ToList(), cancellationToken);
            foreach (var (subscriberId, profile) in stored)
            {
                profiles[(group.Key, subscriberId)] = profile;
            }
        }

        return profiles;
    }
}
