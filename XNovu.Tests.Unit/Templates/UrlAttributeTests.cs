using System.Text.Json;
using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Templates;

/// <summary>URL attributes of email and in-app bodies are safe by default, without any filter.</summary>
public sealed class UrlAttributeTests
{
    private readonly LiquidTemplateEngine _engine = Engine();

    public static TheoryData<string> ScriptUrls => new()
    {
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "\u0001\u0002javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
        "javascript&colon;alert(1)",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "data:image/png;base64,iVBORw0KGgo=",
        " \u00A0DATA:text/html,x",
    };

    [Theory]
    [MemberData(nameof(ScriptUrls))]
    public async Task A_payload_url_of_a_forbidden_scheme_leaves_no_link_in_an_email(string url)
    {
        var body = await RenderAsync("""<p><a href="{{ payload.url }}">Open</a> <img src="{{ payload.url }}"></p>""", NotificationChannel.Email, url);

        AssertNoScriptUrl(body);
        Assert.Contains(">Open</a>", body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ScriptUrls))]
    public async Task A_payload_url_of_a_forbidden_scheme_leaves_no_link_in_an_in_app_body(string url)
    {
        var body = await RenderAsync("""<a href="{{ payload.url }}">Open</a>""", NotificationChannel.InApp, url);

        AssertNoScriptUrl(body);
    }

    [Theory]
    [MemberData(nameof(ScriptUrls))]
    public async Task A_url_the_template_itself_writes_with_entities_is_judged_after_decoding(string url)
    {
        // Entities written by the author (not encoded by the engine) are decoded by the parser before judging.
        var body = await RenderAsync($"""<a href="{url.Replace("\"", "&quot;", StringComparison.Ordinal)}">Open</a>""", NotificationChannel.Email, "x");

        AssertNoScriptUrl(body);
    }

    [Theory]
    [InlineData("action")]
    [InlineData("formaction")]
    [InlineData("background")]
    [InlineData("poster")]
    [InlineData("cite")]
    [InlineData("data")]
    [InlineData("longdesc")]
    public async Task Every_url_attribute_is_judged(string attribute)
    {
        var body = await RenderAsync("<div " + attribute + "=\"{{ payload.url }}\">x</div>", NotificationChannel.Email, "javascript:alert(1)");

        Assert.DoesNotContain(attribute + "=", body, StringComparison.OrdinalIgnoreCase);
        AssertNoScriptUrl(body);
    }

    [Fact]
    public async Task An_svg_xlink_href_is_judged()
    {
        var body = await RenderAsync("""<svg><a xlink:href="{{ payload.url }}"><text>x</text></a></svg>""", NotificationChannel.Email, "javascript:alert(1)");

        AssertNoScriptUrl(body);
    }

    [Fact]
    public async Task A_srcset_keeps_its_safe_candidates_only()
    {
        var body = await RenderAsync(
            """<img srcset="https://cdn.example.com/a.png 1x, {{ payload.url }} 2x" src="/a.png">""", NotificationChannel.Email, "javascript:alert(1)");

        AssertNoScriptUrl(body);
        Assert.Contains("https://cdn.example.com/a.png 1x", body, StringComparison.Ordinal);
        Assert.Contains("src=\"/a.png\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_iframe_srcdoc_is_removed()
    {
        var body = await RenderAsync("""<iframe srcdoc="{{ payload.url }}"></iframe>""", NotificationChannel.Email, "<script>alert(1)</script>");

        Assert.DoesNotContain("srcdoc", body, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("https://example.com/orders/42?a=1&b=2")]
    [InlineData("http://example.com/")]
    [InlineData("mailto:ada@example.com")]
    [InlineData("tel:+4412345678")]
    [InlineData("/orders/42")]
    [InlineData("orders/42#top")]
    [InlineData("#top")]
    [InlineData("//cdn.example.com/a.png")]
    public async Task Legitimate_urls_survive_in_both_channels(string url)
    {
        foreach (var channel in new[] { NotificationChannel.Email, NotificationChannel.InApp })
        {
            var body = await RenderAsync("""<a href="{{ payload.url }}">Open</a>""", channel, url);

            Assert.Equal($"""<a href="{System.Net.WebUtility.HtmlEncode(url).Replace("&#39;", "'", StringComparison.Ordinal)}">Open</a>""", body);
        }
    }

    [Fact]
    public async Task A_cid_image_survives_in_an_email()
    {
        var body = await RenderAsync("""<img src="cid:logo@example.com">""", NotificationChannel.Email, "x");

        Assert.Equal("""<img src="cid:logo@example.com">""", body);
    }

    [Fact]
    public async Task A_body_with_nothing_to_remove_is_left_exactly_as_rendered()
    {
        const string template = """<!DOCTYPE html><html><head><style>p{color:red}</style></head><body><!--[if mso]><b>x</b><![endif]--><p class=a>Hi <br/><a href='https://example.com'>{{ payload.url }}</a></body></html>""";

        var body = await RenderAsync(template, NotificationChannel.Email, "link");

        Assert.Equal(template.Replace("{{ payload.url }}", "link", StringComparison.Ordinal), body);
    }

    [Fact]
    public async Task A_full_document_keeps_its_head_when_a_link_is_removed()
    {
        var body = await RenderAsync(
            """<!DOCTYPE html><html><head><style>p{color:red}</style></head><body><p><a href="{{ payload.url }}">x</a></p></body></html>""",
            NotificationChannel.Email,
            "javascript:alert(1)");

        AssertNoScriptUrl(body);
        Assert.Contains("<style>p{color:red}</style>", body, StringComparison.Ordinal);
        Assert.StartsWith("<!DOCTYPE html>", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_fragment_keeps_a_leading_style_when_a_link_is_removed()
    {
        var body = await RenderAsync("""<style>p{color:red}</style><p><a href="{{ payload.url }}">x</a></p>""", NotificationChannel.Email, "javascript:alert(1)");

        Assert.Equal("<style>p{color:red}</style><p><a>x</a></p>", body);
    }

    [Fact]
    public async Task The_text_part_carries_no_script_url_either()
    {
        var result = await _engine.RenderAsync(Request("""<a href="{{ payload.url }}">Open</a>""", NotificationChannel.Email, Payload("javascript:alert(1)")));

        Assert.DoesNotContain("javascript", result.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sms_bodies_are_plain_text_and_left_alone()
    {
        var body = (await _engine.RenderAsync(Request("""<a href="{{ payload.url }}">x</a>""", NotificationChannel.Sms, Payload("javascript:alert(1)")))).Body;

        Assert.Contains("javascript:alert(1)", body, StringComparison.Ordinal);
    }

    private async Task<string> RenderAsync(string template, NotificationChannel channel, string url) =>
        (await _engine.RenderAsync(Request(template, channel, Payload(url)))).Body;

    private static string Payload(string url) => JsonSerializer.Serialize(new { url });

    private static void AssertNoScriptUrl(string body)
    {
        // Whatever survives is parsed again as a browser would and every attribute value checked.
        var parser = new AngleSharp.Html.Parser.HtmlParser();
        var document = parser.ParseDocument(body);
        foreach (var element in document.All)
        {
            foreach (var attribute in element.Attributes)
            {
                var value = new string(attribute.Value.Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).ToArray());
                Assert.False(
                    value.Contains("javascript:", StringComparison.OrdinalIgnoreCase)
                    || value.Contains("vbscript:", StringComparison.OrdinalIgnoreCase)
                    || value.StartsWith("data:", StringComparison.OrdinalIgnoreCase),
                    $"{attribute.Name}=\"{attribute.Value}\" survived in {body}");
            }
        }
    }
}
