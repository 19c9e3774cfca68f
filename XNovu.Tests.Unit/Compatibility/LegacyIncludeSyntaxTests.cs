using XNovu.Core.Templates;
using XNovu.Tests.Unit.Templates;

namespace XNovu.Tests.Unit.Compatibility;

public sealed class LegacyIncludeSyntaxTests
{
    [Theory]
    [InlineData("{{ xnovu_render('footer') }}", "{% xnovu_render \"footer\" %}")]
    [InlineData("{{xnovu_render(\"footer\", {})}}", "{% xnovu_render \"footer\" %}")]
    [InlineData("A{{ xnovu_render('card', { title: 'Hi, you', count: 3, user: payload.user.name, ok: true, }) }}B",
        "A{% xnovu_render \"card\", title: 'Hi, you', count: 3, user: payload.user.name, ok: true %}B")]
    [InlineData("{{- xnovu_render('x', { \"quoted\": items[0].title }) -}}", "{%- xnovu_render \"x\", quoted: items[0].title -%}")]
    public void Legacy_include_is_rewritten_to_the_tag(string legacy, string expected)
    {
        var result = LegacyIncludeSyntax.Rewrite(legacy);

        Assert.Equal(expected, result.Liquid);
        Assert.Equal(1, result.Rewritten);
        Assert.Empty(result.Unconverted);
    }

    [Theory]
    [InlineData("{{ xnovu_render(payload.key) }}", "quoted literal")]
    [InlineData("{{ xnovu_render('k', { a: { b: 1 } }) }}", "argument 'a'")]
    [InlineData("{{ xnovu_render('k', { a: x | upcase }) }}", "argument 'a'")]
    [InlineData("{{ xnovu_render('k', other) }}", "object literal")]
    public void Include_the_tag_cannot_express_is_left_and_reported(string legacy, string reason)
    {
        var result = LegacyIncludeSyntax.Rewrite(legacy);

        Assert.Equal(legacy, result.Liquid);
        Assert.Contains(reason, Assert.Single(result.Unconverted), StringComparison.Ordinal);
    }

    [Fact]
    public void Our_own_tag_and_plain_text_are_left_alone()
    {
        const string ours = "{% xnovu_render \"footer\", name: payload.name %} xnovu_render('not a call')";

        var result = LegacyIncludeSyntax.Rewrite(ours);

        Assert.Same(ours, result.Liquid);
        Assert.False(result.Changed);
    }

    [Fact]
    public async Task Rewritten_include_renders_as_the_original_did()
    {
        var source = new InMemoryTemplateSource();
        source.Put(TemplateTesting.Acme, "sig", "Regards, {{ team }} for {{ who }}", channel: NotificationChannel.Sms);
        var engine = TemplateTesting.Engine(source);
        var body = LegacyIncludeSyntax.Rewrite("Hello {{ userName }}. {{ xnovu_render('sig', { team: 'Support', who: userName }) }}").Liquid;

        var result = await engine.RenderAsync(TemplateTesting.Request(body, NotificationChannel.Sms, """{"userName": "Ann"}""") with { PayloadAtRoot = true });

        Assert.Equal("Hello Ann. Regards, Support for Ann", result.Body);
    }

    [Fact]
    public async Task Payload_keys_are_at_the_root_only_when_asked_and_never_shadow_payload_subscriber_or_enterprise()
    {
        var engine = TemplateTesting.Engine();
        const string body = "{{ userName }}|{{ payload.userName }}|{{ subscriber.subscriberId }}";
        const string payload = """{"userName": "Ann", "subscriber": "x", "payload": "y"}""";
        var subscriber = new SubscriberVariables("sub-1");

        var plain = await engine.RenderAsync(TemplateTesting.Request(body, NotificationChannel.Sms, payload, subscriber: subscriber));
        var root = await engine.RenderAsync(TemplateTesting.Request(body, NotificationChannel.Sms, payload, subscriber: subscriber) with { PayloadAtRoot = true });

        Assert.Equal("|Ann|sub-1", plain.Body);
        Assert.Equal("Ann|Ann|sub-1", root.Body);
    }
}
