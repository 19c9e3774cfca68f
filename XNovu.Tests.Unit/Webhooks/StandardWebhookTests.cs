using System.Text;
using Microsoft.AspNetCore.Http;
using XNovu.Core.Novu;
using XNovu.Core.Webhooks;
using Independent = StandardWebhooks;

namespace XNovu.Tests.Unit.Webhooks;

/// <summary>
/// Issue 28: XNovu's own Standard Webhooks code against an independent implementation (the StandardWebhooks NuGet
/// package): what XNovu signs the package accepts, one signature per secret during a rotation, and an altered
/// body it refuses; what the package signs XNovu accepts; and XNovu's refusals of late, early and forged ones.
/// </summary>
public sealed class StandardWebhookTests
{
    private const string Body = """{"type":"notification.delivered","timestamp":"2026-12-05T21:00:00Z","data":{"deliveryId":42}}""";

    private static HeaderDictionary Headers(string id, long timestamp, string signature) => new()
    {
        ["webhook-id"] = id,
        ["webhook-timestamp"] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["webhook-signature"] = signature,
    };

    [Fact]
    public void An_independent_verifier_accepts_what_XNovu_signs()
    {
        var secret = StandardWebhook.NewSecret();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = StandardWebhook.Sign("msg_1", now, Encoding.UTF8.GetBytes(Body), [secret]);

        new Independent.StandardWebhook(secret).Verify(Body, Headers("msg_1", now, signature));
    }

    [Fact]
    public void During_a_rotation_each_secret_verifies_on_its_own()
    {
        string oldSecret = StandardWebhook.NewSecret(), newSecret = StandardWebhook.NewSecret();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = StandardWebhook.Sign("msg_2", now, Encoding.UTF8.GetBytes(Body), [newSecret, oldSecret]);

        // The package compares only the first of several signatures (after it, its loop compares the whole header),
        // so each signature is handed to it on its own; XNovu itself accepts the header with either secret.
        var parts = signature.Split(' ');
        Assert.Equal(2, parts.Length);
        new Independent.StandardWebhook(newSecret).Verify(Body, Headers("msg_2", now, parts[0]));
        new Independent.StandardWebhook(oldSecret).Verify(Body, Headers("msg_2", now, parts[1]));
        Assert.Throws<Independent.Diagnostics.WebhookVerificationException>(() =>
            new Independent.StandardWebhook(oldSecret).Verify(Body, Headers("msg_2", now, parts[0])));
        foreach (var secret in new[] { oldSecret, newSecret })
        {
            Assert.Equal(WebhookRefusal.None, StandardWebhook.Verify("msg_2", now.ToString(System.Globalization.CultureInfo.InvariantCulture),
                signature, Encoding.UTF8.GetBytes(Body), [secret], DateTimeOffset.FromUnixTimeSeconds(now), StandardWebhook.DefaultTolerance));
        }
    }

    [Fact]
    public void An_independent_verifier_refuses_an_altered_body()
    {
        var secret = StandardWebhook.NewSecret();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = StandardWebhook.Sign("msg_3", now, Encoding.UTF8.GetBytes(Body), [secret]);

        Assert.Throws<Independent.Diagnostics.WebhookVerificationException>(() =>
            new Independent.StandardWebhook(secret).Verify(Body.Replace("42", "43", StringComparison.Ordinal), Headers("msg_3", now, signature)));
    }

    [Fact]
    public void XNovu_accepts_what_an_independent_signer_signs_and_refuses_it_altered()
    {
        var secret = StandardWebhook.NewSecret();
        var now = DateTimeOffset.UtcNow;
        var signature = new Independent.StandardWebhook(secret).Sign("msg_4", now, Body);
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(WebhookRefusal.None, StandardWebhook.Verify("msg_4", timestamp, signature, Encoding.UTF8.GetBytes(Body), [secret], now, StandardWebhook.DefaultTolerance));
        Assert.Equal(WebhookRefusal.BadSignature, StandardWebhook.Verify("msg_4", timestamp, signature, Encoding.UTF8.GetBytes(Body + " "), [secret], now, StandardWebhook.DefaultTolerance));
        Assert.Equal(WebhookRefusal.BadSignature, StandardWebhook.Verify("msg_5", timestamp, signature, Encoding.UTF8.GetBytes(Body), [secret], now, StandardWebhook.DefaultTolerance));
        Assert.Equal(WebhookRefusal.BadSignature, StandardWebhook.Verify("msg_4", timestamp, signature, Encoding.UTF8.GetBytes(Body), [StandardWebhook.NewSecret()], now, StandardWebhook.DefaultTolerance));
    }

    [Theory]
    [InlineData(-301, WebhookRefusal.TooOld)]
    [InlineData(301, WebhookRefusal.TooNew)]
    [InlineData(-299, WebhookRefusal.None)]
    public void A_timestamp_beyond_five_minutes_is_refused_even_when_signed(int offsetSeconds, WebhookRefusal expected)
    {
        var secret = StandardWebhook.NewSecret();
        var now = DateTimeOffset.UtcNow;
        var timestamp = now.ToUnixTimeSeconds() + offsetSeconds;
        var signature = StandardWebhook.Sign("msg_6", timestamp, Encoding.UTF8.GetBytes(Body), [secret]);

        Assert.Equal(expected, StandardWebhook.Verify("msg_6", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            signature, Encoding.UTF8.GetBytes(Body), [secret], now, StandardWebhook.DefaultTolerance));
    }

    [Fact]
    public void Missing_headers_and_bad_secrets_are_refused()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(WebhookRefusal.MissingHeaders, StandardWebhook.Verify("msg", null, "v1,x", [], [StandardWebhook.NewSecret()], now, StandardWebhook.DefaultTolerance));
        Assert.Equal(WebhookRefusal.BadTimestamp, StandardWebhook.Verify("msg", "soon", "v1,x", [], [StandardWebhook.NewSecret()], now, StandardWebhook.DefaultTolerance));
        Assert.False(StandardWebhook.IsValidSecret("whsec_" + Convert.ToBase64String(new byte[8])));
        Assert.False(StandardWebhook.IsValidSecret("whsec_not base64!"));
        Assert.True(StandardWebhook.IsValidSecret(StandardWebhook.NewSecret()));
    }

    [Fact]
    public void A_Novu_transaction_id_reads_back_to_its_enterprise_and_delivery()
    {
        var enterprise = Guid.NewGuid();
        Assert.True(NovuNames.TryReadTransactionId(NovuNames.TransactionId(enterprise, "order-7-2"), out var read, out var transaction));
        Assert.Equal(enterprise, read);
        Assert.Equal("order-7-2", transaction);

        Assert.True(NovuNames.TryReadTransactionId(NovuNames.TransactionId(enterprise, new string('x', 400)), out read, out transaction));
        Assert.Equal(enterprise, read);
        Assert.Null(transaction);

        Assert.False(NovuNames.TryReadTransactionId("not-ours", out _, out _));
    }
}
