using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using XNovu.Core.Novu;
using XNovu.Core.Preferences;

namespace XNovu.Tests.Unit.Preferences;

/// <summary>Unsubscribe links: signed, expiring, deterministic per day, and refused when forged.</summary>
public sealed class UnsubscribeLinksTests
{
    private static readonly UnsubscribeScope Scope = new(Guid.NewGuid(), "ann", "order-shipped", "email");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));

    private UnsubscribeLinks Links(string key = "a-signing-key-of-some-length", string? baseUrl = "https://notify.example.com/") =>
        new(Options.Create(new UnsubscribeOptions { BaseUrl = baseUrl, SigningKey = key, Lifetime = TimeSpan.FromDays(30) }), _time);

    [Fact]
    public void A_link_reads_back_its_scope_and_is_the_same_when_rendered_again_that_day()
    {
        var links = Links();
        var url = links.Url(Scope)!;
        _time.Advance(TimeSpan.FromHours(5));

        Assert.StartsWith("https://notify.example.com/unsubscribe/", url, StringComparison.Ordinal);
        Assert.Equal(url, links.Url(Scope));
        Assert.Equal(UnsubscribeTokenState.Valid, links.Read(url["https://notify.example.com/unsubscribe/".Length..], out var scope));
        Assert.Equal(Scope, scope);
    }

    [Fact]
    public void A_link_expires_after_its_lifetime_rounded_up_to_midnight()
    {
        var links = Links();
        var token = links.Token(Scope);

        _time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromHours(13));
        Assert.Equal(UnsubscribeTokenState.Valid, links.Read(token, out _));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(UnsubscribeTokenState.Expired, links.Read(token, out var scope));
        Assert.Null(scope);
    }

    [Fact]
    public void A_forged_changed_foreign_or_hostile_token_is_invalid()
    {
        var links = Links();
        var token = links.Token(Scope);
        var (payload, signature) = (token.Split('.')[0], token.Split('.')[1]);
        var widened = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new { E = Scope.EnterpriseId, S = "bob", W = "order-shipped", C = "email", X = 4102444800L }))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal(UnsubscribeTokenState.Invalid, Links(key: "another-key-of-some-length").Read(token, out _));
        Assert.Equal(UnsubscribeTokenState.Invalid, links.Read($"{widened}.{signature}", out _));
        Assert.Equal(UnsubscribeTokenState.Invalid, links.Read($"{payload}.{signature[..^2]}AA", out _));
        Assert.Equal(UnsubscribeTokenState.Invalid, links.Read(payload, out _));
        Assert.Equal(UnsubscribeTokenState.Invalid, links.Read("%%%.***", out _));
        Assert.Equal(UnsubscribeTokenState.Invalid, links.Read("a.b.c", out _));
        Assert.Equal(UnsubscribeTokenState.Invalid, links.Read(new string('A', UnsubscribeLinks.MaxTokenLength + 1), out _));
        Assert.Equal(UnsubscribeTokenState.Invalid, links.Read("\0.\0", out _));
    }

    [Fact]
    public void Without_a_base_url_no_link_is_rendered()
    {
        Assert.Null(Links(baseUrl: null).Url(Scope));
        Assert.False(Links(baseUrl: null).Enabled);
        Assert.True(Links(baseUrl: null).CanVerify);
    }

    [Fact]
    public void The_email_overrides_gain_the_RFC_8058_headers_and_keep_the_callers_own()
    {
        var given = JsonSerializer.SerializeToElement(new { email = new { replyTo = "a@x.test", headers = new Dictionary<string, string> { ["List-Unsubscribe"] = "<mailto:u@x.test>" } }, sms = new { to = "1" } });

        var merged = NovuEvents.WithUnsubscribeHeaders(given, "https://n.example/unsubscribe/t");
        var fresh = NovuEvents.WithUnsubscribeHeaders(null, "https://n.example/unsubscribe/t");

        Assert.Equal("<mailto:u@x.test>", merged.GetProperty("email").GetProperty("headers").GetProperty("List-Unsubscribe").GetString());
        Assert.Equal("List-Unsubscribe=One-Click", merged.GetProperty("email").GetProperty("headers").GetProperty("List-Unsubscribe-Post").GetString());
        Assert.Equal("a@x.test", merged.GetProperty("email").GetProperty("replyTo").GetString());
        Assert.Equal("1", merged.GetProperty("sms").GetProperty("to").GetString());
        Assert.Equal("<https://n.example/unsubscribe/t>", fresh.GetProperty("email").GetProperty("headers").GetProperty("List-Unsubscribe").GetString());
    }

    [Theory]
    [InlineData("ann", "welcome")]
    [InlineData("\u00e9\u00e9\u00e9\"\"<>&", "wf\u00e9")]
    [InlineData("a-very-long-subscriber-id-of-sixty-characters-xxxxxxxxxxxxxxxx", "a-workflow-key-of-forty-characters-xxxxx")]
    public void A_links_bytes_never_pass_the_bound_the_size_check_counts(string subscriberId, string workflowKey)
    {
        var links = Links();
        var url = links.Url(new UnsubscribeScope(Guid.NewGuid(), subscriberId, workflowKey, "in_app"))!;

        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(url), 1,
            links.MaxUrlBytes(System.Text.Encoding.UTF8.GetByteCount(subscriberId), System.Text.Encoding.UTF8.GetByteCount(workflowKey)));
        Assert.Equal(0, Links(baseUrl: null).MaxUrlBytes(10, 10));
    }
}
