using System.Security.Cryptography;
using System.Text;

namespace XNovu.Core.Novu;

/// <summary>
/// The names XNovu gives its things in the shared Novu environment, where every enterprise's workflows and
/// subscribers share one namespace. Each is stable (derived, never stored as the source of truth) and unique
/// per enterprise. The one place these rules live: the dispatcher sends them, the API shows them.
/// </summary>
public static class NovuNames
{
    /// <summary>Novu's identifiers are slugs; a longer one is cut and keeps a hash of what was cut.</summary>
    public const int MaxWorkflowIdLength = 100;

    private const string StaticPrefix = "xnovu";

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
}
