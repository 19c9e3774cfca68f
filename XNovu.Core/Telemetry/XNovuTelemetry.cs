using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace XNovu.Core.Telemetry;

/// <summary>
/// XNovu's own ActivitySource and Meter (both named <c>XNovu</c>, which the service defaults export). Metric tags
/// come from fixed sets only (channel, outcome): never a value a tenant chooses, such as a workflow key, which
/// anonymous <c>/metrics</c> would list to every caller and which a tenant could multiply at will.
/// </summary>
public static class XNovuTelemetry
{
    public const string Name = "XNovu";

    public static readonly ActivitySource Activities = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> TriggersAccepted =
        Meter.CreateCounter<long>("xnovu.triggers.accepted", "{notification}", "Notifications accepted by the trigger API");

    public static readonly Histogram<int> TriggerCommitBatchSize =
        Meter.CreateHistogram<int>("xnovu.triggers.commit.batch_size", "{notification}", "Single triggers stored by one coalesced commit");

    public static readonly Counter<long> TriggerLookups =
        Meter.CreateCounter<long>(
            "xnovu.triggers.lookups", "{trigger}",
            "Coalesced single triggers by where their workflow came from: kept (the API's cache), read (PostgreSQL), stale (kept, but changed before the commit)");

    public static readonly Counter<long> TriggerCommitFallbacks =
        Meter.CreateCounter<long>(
            "xnovu.triggers.commit.fallbacks", "{trigger}",
            "Coalesced single triggers sent to be stored alone, by reason: twin, stale, key_race, lock_timeout, deadlock, timeout, database, error, batch");

    public static readonly Histogram<int> NovuWebhookBatchSize =
        Meter.CreateHistogram<int>(
            "xnovu.novu_webhooks.batch.size", "{webhook}",
            "Novu delivery webhooks applied in one transaction of the API's receiver");

    public static readonly Counter<long> NovuWebhookBatchFallbacks =
        Meter.CreateCounter<long>(
            "xnovu.novu_webhooks.batch.fallbacks", "{webhook}",
            "Novu delivery webhooks applied alone after their shared transaction failed, by reason: lock_timeout, deadlock, database, error");

    public static readonly Counter<long> DeliveriesSent =
        Meter.CreateCounter<long>("xnovu.deliveries.sent", "{delivery}", "Deliveries Novu accepted as processed");

    public static readonly Counter<long> DeliveriesFailed =
        Meter.CreateCounter<long>("xnovu.deliveries.failed", "{delivery}", "Deliveries that failed for good");

    public static readonly Counter<long> DeliveriesSkipped =
        Meter.CreateCounter<long>("xnovu.deliveries.skipped", "{delivery}", "Deliveries every channel of which a subscriber preference silenced");

    public static readonly Counter<long> DeliveriesRetried =
        Meter.CreateCounter<long>("xnovu.deliveries.retried", "{delivery}", "Deliveries scheduled for another attempt");

    public static readonly Counter<long> DeliveriesDeferred =
        Meter.CreateCounter<long>("xnovu.deliveries.deferred", "{delivery}", "Deliveries put back without spending an attempt, by reason (render-share)");

    public static readonly Counter<long> DispatchSlowParts =
        Meter.CreateCounter<long>("xnovu.dispatch.slow_parts", "{part}", "Enterprises' parts of a batch left to finish on their own so that the claim loop goes on");

    public static readonly Histogram<double> WorkflowExecutionTime =
        Meter.CreateHistogram<double>("xnovu.workflow.execution.duration", "ms", "Time from claim to recorded outcome, per batch");

    public static readonly Histogram<double> TemplateRenderTime =
        Meter.CreateHistogram<double>("xnovu.template.render.duration", "ms", "Time to render one channel for one recipient");

    public static readonly Histogram<double> NovuCallTime =
        Meter.CreateHistogram<double>("xnovu.novu.call.duration", "ms", "Time of one call to Novu");

    public static KeyValuePair<string, object?> Channel(string channel) => new("xnovu.channel", channel);

    public static KeyValuePair<string, object?> Outcome(string outcome) => new("xnovu.outcome", outcome);

    public static KeyValuePair<string, object?> Reason(string reason) => new("xnovu.reason", reason);
}
