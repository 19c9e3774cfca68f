using XNovu.Core.Novu;
using XNovu.NovuClient;

namespace XNovu.Api.Subscribers;

/// <summary>
/// Tells Novu about a directory change once it is committed: an upsert of the whole stored profile, or the
/// subscriber's deletion. A failure is logged and reported in the answer, and never undoes the directory
/// change: the dispatcher sends the stored profile with every delivery, and Novu upserts the subscriber from
/// it, so Novu catches up at the subscriber's next delivery at the latest. A deletion (or erasure) is also
/// queued in its own transaction (<see cref="NovuRemovalStore"/>), so the dispatchers remove the subscriber
/// from Novu until Novu confirms, whatever this first attempt answered.
/// </summary>
internal sealed partial class SubscriberNovuSync(NovuEnvironments environments, ILogger<SubscriberNovuSync> logger)
{
    public const string Synced = "synced";
    public const string Deleted = "deleted";
    public const string Absent = "absent";
    public const string Failed = "failed";

    /// <summary>The subscriber id Novu knows this enterprise's subscriber by: the namespaced one the dispatcher sends.</summary>
    public static string NovuSubscriberId(Guid enterpriseId, string subscriberId) => NovuNames.SubscriberId(enterpriseId, subscriberId);

    public async Task<string> UpsertAsync(Guid enterpriseId, IEnumerable<SubscriberResponse> subscribers, CancellationToken cancellationToken)
    {
        if ((await environments.ForEnterpriseAsync(enterpriseId, cancellationToken)).Client is not { } novu)
        {
            return Failed;
        }

        var result = Synced;
        foreach (var subscriber in subscribers)
        {
            var outcome = await novu.Subscribers.CreateAsync(
                new NovuSubscriber
                {
                    SubscriberId = NovuSubscriberId(enterpriseId, subscriber.SubscriberId),
                    Email = subscriber.Email,
                    Phone = subscriber.Phone,
                    FirstName = subscriber.FirstName,
                    LastName = subscriber.LastName,
                    Locale = subscriber.Locale,
                    Timezone = subscriber.Timezone,
                    Avatar = subscriber.Avatar,
                    Data = subscriber.Data,
                },
                cancellationToken);
            if (!outcome.IsSuccess)
            {
                LogSyncFailed(logger, subscriber.SubscriberId, outcome.HttpStatus, outcome.Message);
                result = Failed;
            }
        }

        return result;
    }

    public async Task<string> DeleteAsync(Guid enterpriseId, string subscriberId, CancellationToken cancellationToken)
    {
        if ((await environments.ForEnterpriseAsync(enterpriseId, cancellationToken)).Client is not { } novu)
        {
            return Failed;
        }

        var outcome = await novu.Subscribers.DeleteAsync(NovuSubscriberId(enterpriseId, subscriberId), cancellationToken);
        if (outcome.IsSuccess)
        {
            return Deleted;
        }

        if (outcome.HttpStatus == StatusCodes.Status404NotFound)
        {
            return Absent;
        }

        LogSyncFailed(logger, subscriberId, outcome.HttpStatus, outcome.Message);
        return Failed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscriber {SubscriberId} could not be synced to Novu (HTTP {HttpStatus}): {Reason}")]
    private static partial void LogSyncFailed(ILogger logger, string subscriberId, int? httpStatus, string? reason);
}
