using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text.Json;
using System.Buffers.Text;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace XNovu.Core.Preferences;

/// <summary>Bound from <c>XNovu:Unsubscribe</c>, in the API (which serves the links) and the dispatcher (which renders them).</summary>
public sealed class UnsubscribeOptions
{
    public const string SectionName = "XNovu:Unsubscribe";

    /// <summary>
    /// The public address of the API, where <c>/unsubscribe/{token}</c> is served (<c>https://notify.example.com</c>).
    /// Unset: templates' <c>{{ unsubscribe_url }}</c> is empty and emails carry no List-Unsubscribe header.
    /// </summary>
    [Url]
    public string? BaseUrl { get; set; }

    /// <summary>How long a link works after its email was rendered.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "366.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(60);

    /// <summary>
    /// The secret links are signed with, the same in the API and every dispatcher. Unset: <c>XNovu:AdminKey</c>,
    /// which both already share (a new admin key then ends every link issued before it).
    /// </summary>
    public string? SigningKey { get; set; }
}

/// <summary>What one unsubscribe link may do: turn one channel of one workflow off for one subscriber.</summary>
public sealed record UnsubscribeScope(Guid EnterpriseId, string SubscriberId, string WorkflowKey, string Channel);

public enum UnsubscribeTokenState { Valid, Invalid, Expired }

/// <summary>
/// Signed, expiring unsubscribe links. A token is its scope and expiry (base64url JSON) and an HMAC-SHA256 of them
/// keyed with <see cref="UnsubscribeOptions.SigningKey"/>, compared in constant time: one made elsewhere or changed
/// by a byte does not open, and its expiry is checked against <see cref="TimeProvider"/>. Tokens are deterministic
/// (no random IV; the expiry is rounded up to the next UTC midnight), so a delivery rendered again on a retry makes
/// the same Novu event and Novu's Idempotency-Key replays it rather than refusing a different body.
/// </summary>
public sealed class UnsubscribeLinks(IOptions<UnsubscribeOptions> options, TimeProvider time)
{
    /// <summary>Longest token read: a real one is a few hundred characters; anything longer is refused unread.</summary>
    public const int MaxTokenLength = 2048;

    private readonly byte[] _key = HKDF.DeriveKey(
        HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.SigningKey ?? string.Empty), 32, info: "XNovu.Unsubscribe.v1"u8.ToArray());

    /// <summary>Links are rendered: a base URL and a key are set (the dispatchers).</summary>
    public bool Enabled => options.Value.BaseUrl is { Length: > 0 } && CanVerify;

    /// <summary>Links can be checked: a key is set (the API needs no base URL to serve them).</summary>
    public bool CanVerify => options.Value.SigningKey is { Length: >= 8 };

    /// <summary>The link for a scope, or null when links are off (no base URL or no key).</summary>
    public string? Url(UnsubscribeScope scope) =>
        Enabled ? $"{options.Value.BaseUrl!.TrimEnd('/')}/unsubscribe/{Token(scope)}" : null;

    /// <summary>
    /// The most UTF-8 bytes <see cref="Url"/> can be for a subscriber id and workflow key of these sizes (0 when links
    /// are off): what the API's size check at accept counts for <c>{{ unsubscribe_url }}</c> and the email's
    /// <c>List-Unsubscribe</c> header. The token is base64url (4 bytes per 3) of JSON in which a character of the id
    /// or key takes at most 6 bytes, beside at most 128 of names, enterprise id, channel and expiry; then <c>.</c> and
    /// the 43 characters of the HMAC.
    /// </summary>
    public long MaxUrlBytes(long subscriberIdBytes, long workflowKeyBytes)
    {
        if (!Enabled)
        {
            return 0;
        }

        var json = 128 + (6 * (subscriberIdBytes + workflowKeyBytes));
        return Encoding.UTF8.GetByteCount(options.Value.BaseUrl!.TrimEnd('/')) + "/unsubscribe/".Length + ((json + 2) / 3 * 4) + 1 + 43;
    }

    public string Token(UnsubscribeScope scope)
    {
        var expires = time.GetUtcNow().Add(options.Value.Lifetime);
        var midnight = new DateTimeOffset(expires.UtcDateTime.Date, TimeSpan.Zero).AddDays(1);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Payload(scope.EnterpriseId, scope.SubscriberId, scope.WorkflowKey, scope.Channel, midnight.ToUnixTimeSeconds()));
        return $"{Base64Url.EncodeToString(body)}.{Base64Url.EncodeToString(HMACSHA256.HashData(_key, body))}";
    }

    public UnsubscribeTokenState Read(string? token, out UnsubscribeScope? scope)
    {
        scope = null;
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength || token.Split('.') is not [var encoded, var signature])
        {
            return UnsubscribeTokenState.Invalid;
        }

        Payload? payload;
        try
        {
            var body = Base64Url.DecodeFromChars(encoded);
            if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, body), Base64Url.DecodeFromChars(signature)))
            {
                return UnsubscribeTokenState.Invalid;
            }

            payload = JsonSerializer.Deserialize<Payload>(body);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return UnsubscribeTokenState.Invalid;
        }

        if (payload is null || string.IsNullOrEmpty(payload.S) || payload.W is null || string.IsNullOrEmpty(payload.C))
        {
            return UnsubscribeTokenState.Invalid;
        }

        if (DateTimeOffset.FromUnixTimeSeconds(payload.X) <= time.GetUtcNow())
        {
            return UnsubscribeTokenState.Expired;
        }

        scope = new UnsubscribeScope(payload.E, payload.S, payload.W, payload.C);
        return UnsubscribeTokenState.Valid;
    }

    // Short names: the token travels in every email's links and headers.
    private sealed record Payload(Guid E, string S, string W, string C, long X);
}

public static class UnsubscribeExtensions
{
    public static IServiceCollection AddUnsubscribeLinks(this IServiceCollection services)
    {
        services.AddOptions<UnsubscribeOptions>()
            .BindConfiguration(UnsubscribeOptions.SectionName)
            .PostConfigure<IConfiguration>((o, configuration) => o.SigningKey = o.SigningKey is { Length: > 0 } key ? key : configuration["XNovu:AdminKey"])
            .ValidateDataAnnotations()
            .Validate(o => o.BaseUrl is not { Length: > 0 } || o.SigningKey is { Length: >= 8 },
                $"{UnsubscribeOptions.SectionName}:SigningKey (or XNovu:AdminKey) of at least 8 characters is required when {UnsubscribeOptions.SectionName}:BaseUrl is set.")
            .ValidateOnStart();
        services.AddSingleton<UnsubscribeLinks>();
        return services;
    }
}
