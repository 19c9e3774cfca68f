using System.ComponentModel.DataAnnotations;
using XNovu.Core.Webhooks;

namespace XNovu.Api.NovuWebhooks;

/// <summary>Bound from <c>XNovu:NovuWebhooks</c>.</summary>
public sealed class NovuWebhookOptions
{
    public const string SectionName = "XNovu:NovuWebhooks";

    /// <summary>
    /// The signing secret (<c>whsec_...</c>) of the webhooks the shared Novu environment sends to
    /// <c>POST /novu/webhooks/shared</c>; unset, that receiver answers 404 (the shared plan sends none: the poll
    /// reads outcomes instead). During a rotation give both, space-separated: either verifies.
    /// </summary>
    public string? SharedSecret { get; set; }

    /// <summary>A webhook whose timestamp is further than this from now is refused (Standard Webhooks: 5 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan Tolerance { get; set; } = StandardWebhook.DefaultTolerance;

    /// <summary>A body larger than this is refused (413) before it is verified. Novu's message webhooks are a few KB.</summary>
    [Range(1024, 4 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// The most delivery webhooks applied in one transaction (one commit, one WAL flush). 1 applies each alone.
    /// Novu sends one webhook per message event, so under load they are the API's most frequent write.
    /// </summary>
    [Range(1, 500)]
    public int ApplyBatchSize { get; set; } = 64;

    /// <summary>How long a batch waits for company after its first webhook, and only while another batch is committing.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:00.010")]
    public TimeSpan ApplyMaxWait { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Batches applied at once.</summary>
    [Range(1, 16)]
    public int ApplyWriters { get; set; } = 2;

    /// <summary>
    /// The longest a shared transaction waits on any lock; past it the batch is rolled back and each webhook is applied
    /// alone, so one delivery's lock never holds another tenant's webhooks.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:05")]
    public TimeSpan ApplyLockTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    public IReadOnlyList<string> SharedSecrets =>
        (SharedSecret ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
