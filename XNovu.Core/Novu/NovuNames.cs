using System.Security.Cryptography;
using System.Text;

namespace XNovu.Core.Novu;

/// <summary>
/// The names XNovu gives its things in a Novu environment, where every enterprise's workflows, subscribers and
/// transactions share one namespace. Each is stable (derived, never stored as the source of truth) and unique
/// per enterprise. The one place these rules live: the dispatcher sends them, the API shows them.
/// </summary>
public static class NovuNames
{
    /// <summary>Novu's identifiers are slugs; a longer one is cut and keeps a hash of what was cut.</summary>
    public const int MaxWorkflowIdLength = 100;

    /// <summary>
    /// Novu's <c>Idempotency-Key</c> is at most 255 characters, and a delivery's Novu transactionId is also its key.
    /// Every <see cref="TransactionId"/> is printable ASCII of at most this length, so at most this many bytes.
    /// </summary>
    public const int MaxTransactionIdLength = 255;

    private const string StaticPrefix = "xnovu";

    /// <summary>The hex digits of SHA-256 a hashed transaction id ends with (128 bits).</summary>
    private const int HashedTransactionHash = 32;

    /// <summary>
    /// <c>{enterprise id, 32 hex}.{key}</c> for an enterprise's workflow, <c>xnovu.{key}</c> for a static
    /// workflow (<paramref name="enterpriseId"/> null), shared by every enterprise. A key outside Novu's slug
    /// rules (letters, digits, <c>-</c>, <c>.</c>, <c>_</c>) has the rest replaced and a hash of the key
    /// appended, so two keys never meet in one identifier.
    /// </summary>
    public static string WorkflowId(Guid? enterpriseId, string workflowKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(workflowKey);
        var prefix = enterpriseId is { } id ? id.ToString("N") : StaticPrefix;
        var slug = new StringBuilder(workflowKey.Length);
        foreach (var c in workflowKey)
        {
            slug.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-');
        }

        var candidate = $"{prefix}.{slug}";
        if (slug.ToString() == workflowKey && candidate.Length <= MaxWorkflowIdLength)
        {
            return candidate;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(workflowKey)))[..12];
        var room = MaxWorkflowIdLength - prefix.Length - hash.Length - 2;
        var kept = slug.Length > room ? slug.ToString(0, room) : slug.ToString();
        return $"{prefix}.{kept}-{hash}";
    }

    /// <summary><c>{enterprise id, 32 hex}:{subscriberId}</c>: callers keep their own ids, Novu never mixes them.</summary>
    public static string SubscriberId(Guid enterpriseId, string subscriberId)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriberId);
        return $"{enterpriseId:N}:{subscriberId}";
    }

    /// <summary>Reads back what <see cref="SubscriberId"/> made: the enterprise and the caller's subscriber id.</summary>
    public static bool TryReadSubscriberId(string? novuSubscriberId, out Guid enterpriseId, out string subscriberId)
    {
        subscriberId = string.Empty;
        enterpriseId = Guid.Empty;
        if (novuSubscriberId is null || novuSubscriberId.Length < 34 || novuSubscriberId[32] != ':'
            || !Guid.TryParseExact(novuSubscriberId.AsSpan(0, 32), "N", out enterpriseId))
        {
            return false;
        }

        subscriberId = novuSubscriberId[33..];
        return true;
    }

    /// <summary>
    /// What Novu knows a delivery's transaction by (its <c>transactionId</c>, its <c>Idempotency-Key</c>, and the
    /// id a cancel names): <c>{enterprise id, 32 hex}:{transactionId}</c>, so one enterprise's id can neither
    /// collide with (a 422 for reusing a key with another body) nor cancel another's. The caller keeps seeing its
    /// own id in XNovu. One that would pass <see cref="MaxTransactionIdLength"/>, or holds a character outside
    /// printable ASCII (an HTTP header carries no other), becomes <c>{enterprise id}.{head}~{hash}</c>: the
    /// printable head of the id, and 128 bits of SHA-256 of all of it. The plain form has <c>:</c> after the
    /// enterprise and the hashed one <c>.</c>, so the two never meet.
    /// </summary>
    public static string TransactionId(Guid enterpriseId, string transactionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionId);
        var prefix = enterpriseId.ToString("N");
        if (prefix.Length + 1 + transactionId.Length <= MaxTransactionIdLength && IsHeaderSafe(transactionId))
        {
            return $"{prefix}:{transactionId}";
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(transactionId)))[..HashedTransactionHash];
        var room = MaxTransactionIdLength - prefix.Length - HashedTransactionHash - 2;
        var head = new StringBuilder(room);
        foreach (var c in transactionId.AsSpan(0, Math.Min(room, transactionId.Length)))
        {
            head.Append(c is > ' ' and <= '~' ? c : '-');
        }

        return $"{prefix}.{head}~{hash}";
    }

    /// <summary>
    /// Reads back what <see cref="TransactionId"/> made: the enterprise and the delivery's own transaction id. The
    /// hashed form (an id too long or not printable ASCII) cannot be read back: it gives the enterprise only.
    /// </summary>
    public static bool TryReadTransactionId(string? novuTransactionId, out Guid enterpriseId, out string? transactionId)
    {
        enterpriseId = Guid.Empty;
        transactionId = null;
        if (novuTransactionId is null || novuTransactionId.Length < 34
            || !Guid.TryParseExact(novuTransactionId.AsSpan(0, 32), "N", out enterpriseId))
        {
            return false;
        }

        if (novuTransactionId[32] == ':')
        {
            transactionId = novuTransactionId[33..];
            return true;
        }

        return novuTransactionId[32] == '.';
    }

    private static bool IsHeaderSafe(string value)
    {
        foreach (var c in value)
        {
            if (c is <= ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
