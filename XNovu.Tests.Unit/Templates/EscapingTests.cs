using DotLiquid;
using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Templates;

public sealed class EscapingTests
{
    private const string Attack = """{"html": "<script>alert('x')</script>", "items": ["<b>1</b>", "<i>2</i>"]}""";

    private readonly LiquidTemplateEngine _engine = Engine();

    [Fact]
    public async Task Payload_markup_is_escaped_in_email_body()
    {
        var result = await _engine.RenderAsync(Request("<p>{{ payload.html }}</p>", NotificationChannel.Email, Attack));

        Assert.Equal("<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>", result.Body);
    }

    [Fact]
    public async Task Payload_markup_is_escaped_in_in_app_body()
    {
        var result = await _engine.RenderAsync(Request("{{ payload.html }}", NotificationChannel.InApp, Attack));

        Assert.DoesNotContain("<script>", result.Body, StringComparison.Ordinal);
        Assert.StartsWith("&lt;script&gt;", result.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Payload_markup_passed_through_a_filter_is_still_escaped()
    {
        var result = await _engine.RenderAsync(Request("{{ payload.html | upcase }}|{{ payload.html | append: '!' }}", NotificationChannel.Email, Attack));

        Assert.Equal("&lt;SCRIPT&gt;ALERT(&#39;X&#39;)&lt;/SCRIPT&gt;|&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;!", result.Body);
    }

    [Fact]
    public async Task Assigned_and_looped_payload_values_are_escaped()
    {
        var result = await _engine.RenderAsync(Request(
            "{% assign copy = payload.html %}{{ copy }}{% for item in payload.items %}[{{ item }}]{% endfor %}",
            NotificationChannel.Email,
            Attack));

        Assert.Equal("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;[&lt;b&gt;1&lt;/b&gt;][&lt;i&gt;2&lt;/i&gt;]", result.Body);
    }

    [Fact]
    public async Task A_list_output_whole_has_its_items_escaped()
    {
        var result = await _engine.RenderAsync(Request("{{ payload.items }}", NotificationChannel.Email, Attack));

        Assert.Equal("&lt;b&gt;1&lt;/b&gt;&lt;i&gt;2&lt;/i&gt;", result.Body);
    }

    [Fact]
    public async Task Subscriber_markup_is_escaped_in_email_body()
    {
        var request = Request("Hi {{ subscriber.firstName }}", NotificationChannel.Email) with
        {
            Subscriber = new SubscriberVariables("s-1", FirstName: "<b>Eve</b>"),
        };

        var result = await _engine.RenderAsync(request);

        Assert.Equal("Hi &lt;b&gt;Eve&lt;/b&gt;", result.Body);
    }

    [Fact]
    public async Task The_templates_own_markup_is_not_escaped()
    {
        var result = await _engine.RenderAsync(Request("<h1 class=\"title\">Hello</h1>{% raw %}<br>{% endraw %}", NotificationChannel.Email));

        Assert.Equal("<h1 class=\"title\">Hello</h1><br>", result.Body);
    }

    [Fact]
    public async Task Html_safe_filter_opts_in_to_raw_markup()
    {
        var result = await _engine.RenderAsync(Request("{{ payload.banner | html_safe }}", NotificationChannel.Email, """{"banner": "<b>Sale</b>"}"""));

        Assert.Equal("<b>Sale</b>", result.Body);
    }

    [Fact]
    public async Task A_filter_after_html_safe_takes_the_opt_in_back()
    {
        var result = await _engine.RenderAsync(Request("{{ payload.banner | html_safe | upcase }}", NotificationChannel.Email, """{"banner": "<b>Sale</b>"}"""));

        Assert.Equal("&lt;B&gt;SALE&lt;/B&gt;", result.Body);
    }

    [Fact]
    public async Task Sanitized_payload_html_is_output_as_markup()
    {
        var result = await _engine.RenderAsync(Request("{{ payload.html | sanitize_inapp }}", NotificationChannel.InApp, """{"html": "<b onclick=\"x()\">hi</b><script>x()</script>"}"""));

        Assert.Equal("<b>hi</b>", result.Body);
    }

    [Fact]
    public async Task Markdown_from_the_payload_becomes_html_but_its_raw_html_does_not()
    {
        var result = await _engine.RenderAsync(Request("{{ payload.md | markdown_to_html }}", NotificationChannel.Email, """{"md": "**hi** <img src=x onerror=y>"}"""));

        Assert.Equal("<p><strong>hi</strong> &lt;img src=x onerror=y&gt;</p>", result.Body);
    }

    [Fact]
    public async Task Captured_markup_is_escaped_once_not_twice()
    {
        var result = await _engine.RenderAsync(Request(
            "{% capture card %}<b>{{ payload.name }}</b>{% endcapture %}{{ card }}",
            NotificationChannel.Email,
            """{"name": "A&B"}"""));

        Assert.Equal("<b>A&amp;B</b>", result.Body);
    }

    [Fact]
    public async Task Escape_filter_does_not_escape_twice()
    {
        var result = await _engine.RenderAsync(Request("{{ payload.name | escape }}", NotificationChannel.Email, """{"name": "A&B"}"""));

        Assert.Equal("A&amp;B", result.Body);
    }

    [Fact]
    public async Task Newline_to_br_escapes_the_text_and_keeps_its_breaks_in_an_html_body()
    {
        var html = await _engine.RenderAsync(Request("{{ payload.text | newline_to_br }}", NotificationChannel.Email, """{"text": "<a>\nb"}"""));
        var sms = await _engine.RenderAsync(Request("{{ payload.text | newline_to_br }}", NotificationChannel.Sms, """{"text": "<a>\nb"}"""));

        Assert.Equal("&lt;a&gt;<br />\nb", html.Body);
        Assert.Equal("<a><br />\nb", sms.Body);
    }

    [Fact]
    public async Task Cycle_values_are_escaped_in_an_html_body()
    {
        var result = await _engine.RenderAsync(Request("{% cycle payload.a, payload.b %}", NotificationChannel.Email, """{"a": "<i>", "b": "x"}"""));

        Assert.Equal("&lt;i&gt;", result.Body);
    }

    [Theory]
    [InlineData(NotificationChannel.Sms)]
    [InlineData(NotificationChannel.Push)]
    [InlineData(NotificationChannel.Chat)]
    public async Task Plain_text_channel_bodies_are_not_escaped(NotificationChannel channel)
    {
        var result = await _engine.RenderAsync(Request("{{ payload.text }}", channel, """{"text": "Tom & Jerry <3"}"""));

        Assert.Equal("Tom & Jerry <3", result.Body);
        Assert.Equal(result.Body, result.Text);
    }

    [Fact]
    public async Task Email_subject_is_plain_text_and_not_escaped()
    {
        var result = await _engine.RenderAsync(Request("body", NotificationChannel.Email, """{"who": "Tom & Jerry"}""", subject: "News for {{ payload.who }}"));

        Assert.Equal("News for Tom & Jerry", result.Subject);
    }

    [Fact]
    public async Task Escaping_is_switched_off_again_after_an_html_render()
    {
        await _engine.RenderAsync(Request("{{ payload.x }}", NotificationChannel.Email, """{"x": "<b>"}"""));

        var elsewhere = Template.Parse("{{ x }}").Render(Hash.FromAnonymousObject(new { x = "<b>" }));

        Assert.Equal("<b>", elsewhere);
    }
}
