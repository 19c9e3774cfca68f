using XNovu.Dispatcher.Dispatch;

namespace XNovu.Dispatcher.Webhooks;

/// <summary>Wakes the webhook sender when a commit queued messages (NOTIFY <c>xnovu_webhooks</c>); the dispatch loops' signal, its own instance.</summary>
public sealed class WebhookSignal
{
    private readonly DispatchSignal _inner = new();

    public void Wake() => _inner.Wake();

    public Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) => _inner.WaitAsync(timeout, time, cancellationToken);
}
