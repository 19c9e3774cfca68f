namespace XNovu.Api.Triggers;

/// <summary>Bound from <c>XNovu:Triggers</c>; the default subscriber comes from <c>XNovu:Novu:DefaultSubscriberId</c>.</summary>
public sealed class TriggerOptions
{
    public const string SectionName = "XNovu:Triggers";

    /// <summary>The largest <c>payload</c> of one trigger, as UTF-8 JSON; larger is 413.</summary>
    public int MaxPayloadBytes { get; set; } = 512 * 1024;

    /// <summary>The most recipients one trigger may name; at most Novu's own limit.</summary>
    public int MaxRecipients { get; set; } = XNovu.Core.Validation.Recipients.MaxCount;

    public int MaxTags { get; set; } = 50;

    /// <summary>The most events in one bulk trigger; more is 422 (the whole call, nothing stored).</summary>
    public int MaxBulkEvents { get; set; } = 1000;

    /// <summary>The body limit of the bulk endpoint (the management limit of 1 MB is too small for it).</summary>
    public long MaxBulkRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long an <c>Idempotency-Key</c> answers its first result.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often keys past their window are deleted.</summary>
    public TimeSpan IdempotencyPurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Who a trigger naming no recipient goes to (the seed's NOVU_SUBSCRIBER_ID); none: such a trigger is 400.</summary>
    public string? DefaultSubscriberId { get; set; }

    internal const int MaxIdempotencyKeyLength = XNovu.Core.Validation.FieldLimits.IdentifierChars;
    internal const int MaxTransactionIdLength = XNovu.Core.Validation.FieldLimits.IdentifierChars;
    internal const int MaxTagLength = 100;
}
