namespace XNovu.NovuEmulator.Webhooks;

/// <summary>Bound from <c>NovuEmulator:Webhooks</c>; <c>POST /emulator/webhooks</c> replaces it at run time.</summary>
public sealed class WebhookOptions
{
    /// <summary>Where Novu's webhook endpoint points; unset, no webhook is sent (a plan without webhooks).</summary>
    public string? Url { get; set; }

    /// <summary>The endpoint's signing secret, <c>whsec_</c> and base64, as Novu's dashboard shows it.</summary>
    public string? Secret { get; set; }

    /// <summary>Novu's environment id, carried in every envelope.</summary>
    public string EnvironmentId { get; set; } = "emulator-environment";
}

/// <summary>
/// The faults a test may ask of the webhooks (issue 28): each changes every webhook sent until cleared.
/// bad-signature: signed with another secret; duplicate: each webhook sent twice with the same webhook-id;
/// out-of-order: a message's events sent last first; late: the timestamp ten minutes old (signed correctly);
/// provider-failure: message.failed with the provider's error instead of message.delivered.
/// </summary>
public static class WebhookFaults
{
    public const string BadSignature = "bad-signature";
    public const string Duplicate = "duplicate";
    public const string OutOfOrder = "out-of-order";
    public const string Late = "late";
    public const string ProviderFailure = "provider-failure";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        BadSignature, Duplicate, OutOfOrder, Late, ProviderFailure,
    };
}

/// <param name="Url">The receiver; null keeps the current one, "" stops sending.</param>
/// <param name="Faults">Replaces the faults in force; null or empty clears them.</param>
public sealed record WebhookConfiguration(string? Url, string? Secret, string? EnvironmentId, IReadOnlyList<string>? Faults);

/// <summary>One webhook as sent, for tests: its id, type, headers and body, and what the receiver answered.</summary>
public sealed record SentWebhook(string WebhookId, string Type, string TransactionId, string Body, string Signature, long Timestamp, int? Status, DateTimeOffset SentAt);

/// <summary>The current configuration (options, or the last <c>POST /emulator/webhooks</c>) and the log of what was sent.</summary>
public sealed class WebhookSettings
{
    private readonly Lock _gate = new();
    private readonly List<SentWebhook> _sent = [];
    private WebhookConfiguration _current;

    public WebhookSettings(Microsoft.Extensions.Options.IOptions<NovuEmulatorOptions> options)
    {
        var configured = options.Value.Webhooks;
        _current = new WebhookConfiguration(configured.Url, configured.Secret, configured.EnvironmentId, []);
    }

    public WebhookConfiguration Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    public void Set(WebhookConfiguration configuration)
    {
        lock (_gate)
        {
            // What the request leaves out stays as it was: a test may change the faults alone.
            _current = new WebhookConfiguration(
                configuration.Url ?? _current.Url, configuration.Secret ?? _current.Secret,
                configuration.EnvironmentId ?? _current.EnvironmentId, configuration.Faults ?? []);
        }
    }

    public bool Has(string fault) => Current.Faults?.Contains(fault, StringComparer.Ordinal) == true;

    public void Record(SentWebhook sent)
    {
        lock (_gate)
        {
            _sent.Add(sent);
            if (_sent.Count > 10_000)
            {
                _sent.RemoveRange(0, 1_000);
            }
        }
    }

    public IReadOnlyList<SentWebhook> Sent(string? transactionId)
    {
        lock (_gate)
        {
            return _sent.Where(s => transactionId is null || s.TransactionId == transactionId).ToList();
        }
    }

    public void ClearLog()
    {
        lock (_gate)
        {
            _sent.Clear();
        }
    }
}
