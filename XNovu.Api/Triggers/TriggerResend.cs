using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Api.Notifications;
using XNovu.Core.Persistence;

namespace XNovu.Api.Triggers;

/// <summary>
/// The original's re-send: a trigger naming an existing notification (<c>notificationId</c>) of this
/// enterprise sends that one, as it was stored, never a new one. Idempotent: a FAILED notification is queued
/// again through the notifications' own retry; one already queued, in flight or sent is answered as it is and
/// nothing is sent twice; a cancelled one stays cancelled (409); another enterprise's is 404.
/// </summary>
internal sealed class TriggerResend(NotificationStore notifications)
{
    public async Task<(TriggerAccepted? Answer, ProblemHttpResult? Problem)> ResendAsync(
        Guid enterpriseId, long notificationId, string? workflowKey, CancellationToken cancellationToken)
    {
        var notification = await notifications.FindOnPrimaryAsync(enterpriseId, notificationId, cancellationToken);
        if (notification is null)
        {
            return (null, Problems.NotFound($"Notification {notificationId} was not found."));
        }

        if (workflowKey is not null && !string.Equals(workflowKey, notification.WorkflowKey, StringComparison.Ordinal))
        {
            return (null, Problems.Validation(
                "workflowId", $"is '{workflowKey}', but notification {notificationId} belongs to workflow '{notification.WorkflowKey}'."));
        }

        string status;
        string message;
        switch (notification.Status)
        {
            case NotificationStatuses.Retracted:
                return (null, Problems.Conflict($"Notification {notificationId} was cancelled; it is not sent again."));
            case NotificationStatuses.Failed:
                var (retried, problem) = await notifications.RetryAsync(enterpriseId, notificationId, cancellationToken);
                if (problem is null)
                {
                    (status, message) = (NotificationStatuses.Pending, $"Notification {notificationId} had failed; it is queued again ({retried} delivery(ies)).");
                    break;
                }

                // A concurrent retry (or re-send) got there first: answer the state it left, as a repeat would.
                var now = await notifications.FindOnPrimaryAsync(enterpriseId, notificationId, cancellationToken);
                if (now?.Status is not (NotificationStatuses.Pending or NotificationStatuses.Processing or NotificationStatuses.Sent))
                {
                    return (null, problem);
                }

                (status, message) = (now.Status, Queued(notificationId, now.Status));
                break;
            case NotificationStatuses.Sent:
                (status, message) = (notification.Status, $"Notification {notificationId} was already sent; it is not sent twice.");
                break;
            default:
                (status, message) = (notification.Status, Queued(notificationId, notification.Status));
                break;
        }

        return (new TriggerAccepted(
            notificationId, notification.TransactionId ?? string.Empty, status, notification.WorkflowKey, enterpriseId, message), null);
    }

    private static string Queued(long notificationId, string status) => $"Notification {notificationId} is already queued for delivery ({status}).";
}
