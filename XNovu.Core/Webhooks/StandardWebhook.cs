// Standard Webhooks (standardwebhooks.com), written here rather than taken from the StandardWebhooks NuGet package:
// the scheme is one HMAC and a header format, small enough to read in one screen, and the product then depends on
// no third-party signer. The package is used in the tests as an independent verifier of exactly this code.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace XNovu.Core.Webhooks;

/// <summary>Why a webhook was refused; <see cref="None"/> for one that verified.</summary>
public enum WebhookRefusal
{
    None,
    MissingHeaders,
    BadTimestamp,
    TooOld,
    TooNew,
    BadSignature,
}

/// <summary>
/// Signing and verification of Standard Webhooks: the signed content is <c>{webhook-id}.{webhook-timestamp}.{body}</c>,
/// the key the base64 after the secret's <c>whsec_</c> prefix, the signature <c>v1,{base64 HMAC-SHA256}</c>; several
/// space-separated signatures (one per secret during a rotation) verify when any one matches, compared in constant
/// time. A timestamp further than the tolerance from now, either way, is refused before any signature is computed.
/// </summary>
public static class StandardWebhook
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";

    /// <summary>The spec's advice: a webhook more than five minutes old or early is refused (replays, clock attacks).</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>A new secret: 32 random bytes (the spec advises 24 to 64), <c>whsec_</c> and base64.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Whether <paramref name="secret"/> is <c>whsec_</c> and base64 of 24 to 64 bytes.</summary>
    public static bool IsValidSecret(string? secret) => TryReadKey(secret, out var key) && key.Length is >= 24 and <= 64;

    /// <summary>The <c>webhook-signature</c> value: one <c>v1,</c> signature per secret, space-separated.</summary>
    public static string Sign(string id, long timestamp, ReadOnlySpan<byte> body, IEnumerable<string> secrets)
    {
        var signatures = new List<string>();
        foreach (var secret in secrets)
        {
            if (!TryReadKey(secret, out var key))
            {
                throw new ArgumentException("A webhook secret is whsec_ followed by base64.", nameof(secrets));
            }

            signatures.Add("v1," + Convert.ToBase64String(Compute(key, id, timestamp, body)));
        }

        return string.Join(' ', signatures);
    }

    /// <summary>Verifies a received webhook against any of <paramref name="secrets"/>.</summary>
    public static WebhookRefusal Verify(
        string? id, string? timestamp, string? signature, ReadOnlySpan<byte> body, IReadOnlyList<string> secrets, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return WebhookRefusal.MissingHeaders;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return WebhookRefusal.BadTimestamp;
        }

        var age = now.ToUnixTimeSeconds() - seconds;
        if (age > tolerance.TotalSeconds)
        {
            return WebhookRefusal.TooOld;
        }

        if (-age > tolerance.TotalSeconds)
        {
            return WebhookRefusal.TooNew;
        }

        Span<byte> given = stackalloc byte[32];
        foreach (var secret in secrets)
        {
            if (!TryReadKey(secret, out var key))
            {
                continue;
            }

            var expected = Compute(key, id, seconds, body);
            foreach (var part in signature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.StartsWith("v1,", StringComparison.Ordinal)
                    && Convert.TryFromBase64String(part[3..], given, out var written) && written == expected.Length
                    && CryptographicOperations.FixedTimeEquals(given[..written], expected))
                {
                    return WebhookRefusal.None;
                }
            }
        }

        return WebhookRefusal.BadSignature;
    }

    private static byte[] Compute(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}.{timestamp}."));
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    private static bool TryReadKey(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null)
        {
            return false;
        }

        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        try
        {
            key = Convert.FromBase64String(encoded);
            return key.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
