namespace XNovu.Core.Persistence;

/// <summary>
/// Who is writing, for the audit trail (issue 30): the API sets it for the length of a request that may write, and
/// every tenant transaction begun under it names the author to PostgreSQL (<c>app.actor</c>, <c>app.request</c>),
/// where one trigger (<c>notify.audit_write</c>) fills <c>created_by</c>/<c>updated_by</c> and records the write (the
/// stores of subscribers, topics and API keys record theirs in the same transaction, from the same settings).
/// Ambient rather than a parameter: every store's every write gets it without each of them passing it on, and a
/// write outside a request (the dispatcher's own bookkeeping) has none and is not recorded as the API's.
/// </summary>
/// <param name="Actor"><c>api-key:&lt;id&gt;</c> or <c>admin</c>.</param>
/// <param name="Request">The route that writes, as <c>POST /api/templates/{templateKey}/publish</c>.</param>
public sealed record WriteAuthor(string Actor, string? Request)
{
    private static readonly AsyncLocal<WriteAuthor?> Ambient = new();

    /// <summary>The author of the writes made from here on in this async flow; null: none.</summary>
    public static WriteAuthor? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }

    public static string ForApiKey(Guid apiKeyId) => $"api-key:{apiKeyId}";

    public const string Admin = "admin";
}
