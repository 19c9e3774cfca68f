using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Templates;

public sealed class FilterTests
{
    private readonly LiquidTemplateEngine _engine = Engine();

    [Fact]
    public async Task Html_to_text_turns_blocks_into_lines_lists_into_bullets_and_links_into_text_with_url()
    {
        var body = await _engine.RenderPlainAsync(
            "{{ payload.html | html_to_text }}",
            """{"html": "<h1>Order</h1><p>Shipped&nbsp;today.<br>Track <a href=\"https://t.example/1\">here</a>.</p><ul><li>Tea</li><li>Cake</li></ul><script>x()</script>"}""");

        Assert.Equal("Order\n\nShipped today.\nTrack here (https://t.example/1).\n\n- Tea\n- Cake", body);
    }

    [Fact]
    public async Task Strip_html_removes_tags_and_script_content_and_decodes_entities()
    {
        var body = await _engine.RenderPlainAsync("{{ payload.html | strip_html }}", """{"html": "<p>Fish &amp; <b>chips</b></p><style>p{}</style><script>alert(1)</script>"}""");

        Assert.Equal("Fish & chips", body);
    }

    [Fact]
    public async Task Markdown_to_html_renders_headings_emphasis_links_lists_paragraphs_and_code()
    {
        const string Markdown = "# Title\n\nSome **bold** and *italic* with [a link](https://x.example/a_b_c).\n\n- one\n- `two`\n\n1. first\n2. second\n\n```\n<b>code</b>\n```";

        var body = await _engine.RenderPlainAsync("{{ payload.md | markdown_to_html }}", JsonPayload("md", Markdown));

        Assert.Equal(
            "<h1>Title</h1>\n"
            + "<p>Some <strong>bold</strong> and <em>italic</em> with <a href=\"https://x.example/a_b_c\">a link</a>.</p>\n"
            + "<ul>\n<li>one</li>\n<li><code>two</code></li>\n</ul>\n"
            + "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"
            + "<pre><code>&lt;b&gt;code&lt;/b&gt;\n</code></pre>",
            body);
    }

    [Fact]
    public async Task Markdown_to_html_passes_no_raw_html_and_no_script_links()
    {
        var body = await _engine.RenderPlainAsync("{{ payload.md | markdown_to_html }}", JsonPayload("md", "<script>x</script> [click](javascript:void) [ok](/inbox)"));

        Assert.Equal("<p>&lt;script&gt;x&lt;/script&gt; <a href=\"#\">click</a> <a href=\"/inbox\">ok</a></p>", body);
    }

    [Fact]
    public async Task Sanitize_email_strips_scripts_styles_frames_objects_handlers_and_script_urls()
    {
        const string Html =
            "<table width=\"100%\"><tr><td style=\"color:red\">Hi <a href=\"https://ok.example\" onclick=\"steal()\">ok</a></td></tr></table>"
            + "<script>steal()</script><style>body{}</style><iframe src=\"https://evil.example\"></iframe><object data=\"x\">o</object>"
            + "<a href=\"java&#x09;script:alert(1)\">bad</a><img src=\"x\" onerror=\"steal()\"><div style=\"width:expression(alert(1))\">d</div>";

        var body = await _engine.RenderPlainAsync("{{ payload.html | sanitize_email }}", JsonPayload("html", Html));

        // The parser adds the tbody a browser would, and the style is re-serialised as parsed.
        Assert.Equal(
            "<table width=\"100%\"><tbody><tr><td style=\"color: rgba(255, 0, 0, 1)\">Hi <a href=\"https://ok.example\">ok</a></td></tr></tbody></table>"
            + "<a>bad</a><img src=\"x\"><div>d</div>",
            body);
    }

    [Fact]
    public async Task Sanitize_email_balances_tags_and_encodes_stray_brackets()
    {
        var body = await _engine.RenderPlainAsync("{{ payload.html | sanitize_email }}", JsonPayload("html", "<p><b>open 1 < 2 > 0</p></i>"));

        Assert.Equal("<p><b>open 1 &lt; 2 &gt; 0</b></p>", body);
    }

    [Fact]
    public async Task Sanitize_inapp_keeps_only_a_few_inline_tags()
    {
        var body = await _engine.RenderPlainAsync(
            "{{ payload.html | sanitize_inapp }}",
            JsonPayload("html", "<div class=\"x\"><h1>Big</h1><b>bold</b> <a href=\"https://a.example\" target=\"_blank\" style=\"x\">link</a><img src=\"https://i.example/p.png\"></div>"));

        Assert.Equal("Big<b>bold</b> <a href=\"https://a.example\">link</a>", body);
    }

    [Fact]
    public async Task Sanitize_sms_gives_collapsed_gsm_friendly_plain_text()
    {
        var body = await _engine.RenderPlainAsync("{{ payload.text | sanitize_sms }}", JsonPayload("text", "<p>\u201CHi\u201D \u2013 it\u2019s   ready\u2026</p>\n\n<p>Bye</p>"));

        Assert.Equal("\"Hi\" - it's ready... Bye", body);
    }

    [Fact]
    public async Task Sanitize_sms_trims_to_1600_characters_by_default_and_to_a_given_length()
    {
        var longText = new string('a', 2000);

        var byDefault = await _engine.RenderPlainAsync("{{ payload.text | sanitize_sms }}", JsonPayload("text", longText));
        var short160 = await _engine.RenderPlainAsync("{{ payload.text | sanitize_sms: 160 }}", JsonPayload("text", longText));

        Assert.Equal(1600, byDefault.Length);
        Assert.Equal(160, short160.Length);
    }

    [Theory]
    [InlineData("<p>intro</p><h2>Your <b>order</b> shipped</h2>", "Your order shipped")]
    [InlineData("# Welcome aboard\n\nbody", "Welcome aboard")]
    [InlineData("\n\n  First line  \nsecond", "First line")]
    [InlineData("<p>Hello <b>there</b></p><p>more</p>", "Hello there")]
    public async Task Extract_subject_takes_the_first_heading_or_else_the_first_line(string input, string expected)
    {
        var body = await _engine.RenderPlainAsync("{{ payload.text | extract_subject }}", JsonPayload("text", input));

        Assert.Equal(expected, body);
    }

    [Fact]
    public async Task Json_serialises_a_payload_value()
    {
        var body = await _engine.RenderPlainAsync("{{ payload.order | json }}", """{"order": {"id": 7, "total": 12.5, "paid": true, "note": null, "items": ["tea", "cake"]}}""");

        Assert.Equal("""{"id":7,"total":12.5,"paid":true,"note":null,"items":["tea","cake"]}""", body);
    }

    [Theory]
    [InlineData("""{}""", "fallback")]
    [InlineData("""{"v": null}""", "fallback")]
    [InlineData("""{"v": false}""", "fallback")]
    [InlineData("""{"v": ""}""", "fallback")]
    [InlineData("""{"v": []}""", "fallback")]
    [InlineData("""{"v": " "}""", " ")]
    [InlineData("""{"v": 0}""", "0")]
    [InlineData("""{"v": true}""", "true")]
    [InlineData("""{"v": "set"}""", "set")]
    public async Task Default_falls_back_for_nil_false_and_empty_only(string payload, string expected)
    {
        var body = await _engine.RenderPlainAsync("{{ payload.v | default: 'fallback' }}", payload);

        Assert.Equal(expected, body);
    }

    [Fact]
    public void An_unknown_filter_is_a_validation_error_at_its_position()
    {
        var result = _engine.Validate("Hi\n  {{ name | shout }}");

        Assert.False(result.IsValid);
        Assert.Equal("Unknown filter 'shout'", result.Error);
        Assert.Equal((2, 3), (result.Line, result.Column));
    }

    [Fact]
    public void Every_documented_filter_is_known()
    {
        var result = _engine.Validate(
            "{{ x | html_to_text | markdown_to_html | strip_html | sanitize_email | sanitize_inapp | sanitize_sms | extract_subject | json | default: 'y' | html_safe | url | upcase }}");

        Assert.True(result.IsValid, result.Describe());
    }

    private static string JsonPayload(string name, string value) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { [name] = value });
}
