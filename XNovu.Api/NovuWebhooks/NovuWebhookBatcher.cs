using Microsoft.Extensions.Options;
using XNovu.Core.Persistence;
using XNovu.Core.Telemetry;

namespace XNovu.Api.NovuWebhooks;

/// <summary>
/// Applies verified Novu delivery webhooks in shared transactions. Novu sends one webhook per message event, each
/// the API once applied in a transaction of its own: at 36 million rows of history the receiver spent its time in
/// WAL flushes (issue 32: <c>apply_novu_webhook</c> was most of the API's database time, waiting on WALWrite and
/// WALSync). Here up to <see cref="NovuWebhookOptions.ApplyWriters"/> writers each take what has arrived (at most
/// <see cref="NovuWebhookOptions.ApplyBatchSize"/>, waiting at most <see cref="NovuWebhookOptions.ApplyMaxWait"/>
/// for company, and only while another batch is committing) and apply it in one statement and one commit; each
/// webhook is answered after that commit, as before.
/// <para>
/// Tenants share a batch, never its fate. No statement of a batch waits on a lock longer than
/// <see cref="NovuWebhookOptions.ApplyLockTimeout"/>. A batch that fails in any way is rolled back and each of its
/// webhooks is applied alone, in its own transaction, as it was before batching. That is safe because applying is
/// idempotent: a webhook-id already recorded (the batch committed after all) answers <c>duplicate</c>.
/// </para>
/// The queue and gather loop are <see cref="CommitGatherer{T}"/>'s, shared with the trigger path's coalescing; twins,
/// Idempotency-Keys and savepoints per enterprise are the triggers' alone.
/// </summary>
public sealed partial class NovuWebhookBatcher : IAsyncDisposable
{
    private readonly NovuWebhookStore store;
    private readonly NovuWebhookOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<NovuWebhookBatcher> logger;
    private readonly CommitGatherer<Pending> _gatherer;
    private Task[]? _writers;
    private int _started;

    public NovuWebhookBatcher(NovuWebhookStore store, IOptions<NovuWebhookOptions> options, TimeProvider time, ILogger<NovuWebhookBatcher> logger)
    {
        this.store = store;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        _gatherer = new CommitGatherer<Pending>(this.options.ApplyBatchSize, this.options.ApplyMaxWait, time);
    }

    /// <summary>applied, duplicate or unmatched, once committed.</summary>
    public Task<string> ApplyAsync(Guid? environment, string webhookId, NovuWebhookEvent e, CancellationToken cancellationToken)
    {
        if (options.ApplyBatchSize <= 1)
        {
            return store.ApplyAsync(environment, webhookId, e, cancellationToken);
        }

        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _writers = Enumerable.Range(0, options.ApplyWriters).Select(_ => Task.Run(() => _gatherer.WriteLoopAsync(static _ => true, CommitAsync))).ToArray();
        }

        var pending = new Pending(new WebhookToApply(environment, webhookId, e));
        // The caller may go (its request aborted); the batch it joined still applies it, as Novu will retry anyway.
        return _gatherer.TryWrite(pending)
            ? pending.Completion.Task.WaitAsync(cancellationToken)
            : store.ApplyAsync(environment, webhookId, e, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _gatherer.Complete();
        if (_writers is { } writers)
        {
            await Task.WhenAll(writers);
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        XNovuTelemetry.NovuWebhookBatchSize.Record(batch.Count);
        string[]? outcomes = null;
        Exception? failure = null;
        try
        {
            // A batch of one too: under the lock timeout, so a writer is never held by one delivery's lock.
            outcomes = await store.ApplyBatchAsync(batch.Select(p => p.Webhook).ToList(), options.ApplyLockTimeout, CancellationToken.None);
        }
        catch (Exception e)
        {
            failure = e;
        }

        if (outcomes is not null)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(outcomes[i]);
            }
        }
        else
        {
            var reason = BatchFailure.Reason(failure!);
            XNovuTelemetry.NovuWebhookBatchFallbacks.Add(batch.Count, XNovuTelemetry.Reason(reason));
            LogBatchFailed(logger, failure!, batch.Count, reason);
            // Alone, side by side and off this writer: one webhook's lock or fault is its own again. With the
            // database down each fails in turn, and its caller answers 503.
            _ = Task.WhenAll(batch.Select(AloneAsync));
        }
    }

    private async Task AloneAsync(Pending pending)
    {
        try
        {
            pending.Completion.TrySetResult(await store.ApplyAsync(
                pending.Webhook.Environment, pending.Webhook.WebhookId, pending.Webhook.Event, CancellationToken.None));
        }
        catch (Exception e)
        {
            pending.Completion.TrySetException(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} Novu webhooks failed ({Reason}); each is applied alone.")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count, string reason);

    private sealed record Pending(WebhookToApply Webhook)
    {
        public TaskCompletionSource<string> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
