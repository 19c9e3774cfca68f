using XNovu.Client.Api;
using XNovu.Client.Api.Models;

namespace XNovu.Client;

/// <summary>The one-call trigger the README shows; everything else is on <see cref="XNovuApiClient.Api"/>.</summary>
public static class XNovuApiClientExtensions
{
    /// <summary>
    /// Triggers <paramref name="workflowId"/> for <paramref name="to"/> (a subscriber id, a subscriber object or
    /// an array of either) with <paramref name="payload"/>. Without <paramref name="idempotencyKey"/> a new one
    /// is made for this call, and its retries repeat it.
    /// </summary>
    public static async Task<TriggerAccepted> TriggerAsync(
        this XNovuApiClient client,
        string workflowId,
        object to,
        object? payload = null,
        string? idempotencyKey = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var body = new TriggerRequest { WorkflowId = workflowId, To = XNovuJson.From(to), Payload = XNovuJson.From(payload ?? new { }) };
        var accepted = await client.Api.Trigger.PostAsync(
            body,
            configuration =>
            {
                if (idempotencyKey is not null)
                {
                    configuration.Headers.Add("Idempotency-Key", idempotencyKey);
                }
            },
            cancellationToken).ConfigureAwait(false);
        return accepted ?? throw new XNovuProblemException("XNovu answered the trigger with an empty body.");
    }
}
