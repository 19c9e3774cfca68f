using System.Net;
using XNovu.Api.Http;
using XNovu.Core.Webhooks;

namespace XNovu.Api.Webhooks;

/// <summary>What a valid endpoint is: an absolute http(s) URL without credentials, and known event types.</summary>
public static class WebhookValidation
{
    public const int MaxUrlLength = 2000;
    public const int MaxDescriptionLength = 500;

    /// <summary>
    /// The normalised URL, or null with errors. A host that is an address literal (or <c>localhost</c>) must be
    /// public unless the admin allows private ones; a name is checked again at every send, against what it resolves to.
    /// </summary>
    public static string? Url(string? value, bool allowPrivate, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add("url", "is required.");
            return null;
        }

        if (value.Length > MaxUrlLength || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(url.Host))
        {
            errors.Add("url", $"must be an absolute http or https URL of at most {MaxUrlLength} characters.");
            return null;
        }

        if (url.UserInfo.Length > 0 || url.Fragment.Length > 0)
        {
            errors.Add("url", "must not carry credentials or a fragment.");
            return null;
        }

        var literal = IPAddress.TryParse(url.Host.Trim('[', ']'), out var address);
        if (!allowPrivate && ((literal && !WebhookAddressGuard.IsPublic(address!))
            || url.IsLoopback || url.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add("url", "must reach a public address: loopback, private and link-local ones need the admin's allowance.");
            return null;
        }

        return url.AbsoluteUri;
    }

    public static string[]? EventTypes(IReadOnlyList<string>? values, ValidationErrors errors)
    {
        if (values is null || values.Count == 0)
        {
            errors.Add("eventTypes", $"must name at least one of: {string.Join(", ", WebhookEventTypes.All)}.");
            return null;
        }

        var unknown = values.Where(v => !WebhookEventTypes.All.Contains(v, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            errors.Add("eventTypes", $"unknown: {string.Join(", ", unknown)}; known: {string.Join(", ", WebhookEventTypes.All)}.");
            return null;
        }

        return values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    public static void Description(string? value, ValidationErrors errors)
    {
        if (value is { Length: > MaxDescriptionLength })
        {
            errors.Add("description", $"must be at most {MaxDescriptionLength} characters.");
        }
    }
}
