using System.Diagnostics;
using System.Text.Json;
using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Templates;

/// <summary>Templates and payloads written by someone who means harm: slow filters, runaway growth, script.</summary>
public sealed class HostileTemplateTests
{
    // Not a speed target (the benchmark measures speed): the unsafe code took 7.7 s on 12 KB, so hours on 512 KB.
    // Below the 5 s render timeout, so a pass means the filter was linear or refused the input itself, not that
    // the timeout stopped it; three times the quiet-machine figure, so that a loaded machine does not fail it.
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(3);

    private readonly LiquidTemplateEngine _engine = Engine();

    [Theory]
    [InlineData("sanitize_email")]
    [InlineData("sanitize_inapp")]
    [InlineData("html_to_text")]
    [InlineData("strip_html")]
    public async Task A_filter_over_512_KB_of_unclosed_tags_renders_quickly(string filter)
    {
        var hostile = Repeat("<a ", 512 * 1024);

        await AssertFastAsync($"{{{{ payload.h | {filter} }}}}", hostile);
    }

    [Theory]
    [InlineData("sanitize_email", "<div>")]
    [InlineData("html_to_text", "<div>")]
    [InlineData("sanitize_inapp", "<b><i>")]
    [InlineData("sanitize_email", "<p>x")]
    [InlineData("strip_html", "<br>")]
    public async Task Markup_nested_too_deep_or_with_too_many_tags_is_refused_quickly(string filter, string tag)
    {
        var json = Json(Repeat(tag, 512 * 1024));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => _engine.RenderAsync(Request($"{{{{ payload.h | {filter} }}}}", NotificationChannel.Email, json)));

        Assert.True(clock.Elapsed < Quickly, $"took {clock.Elapsed}");
        Assert.Equal(TemplateErrorKind.Budget, error.Kind);
        Assert.StartsWith("The markup has", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_loop_that_writes_markup_too_deep_for_the_text_part_fails_clearly()
    {
        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => _engine.RenderAsync(Request("{% for i in (1..5000) %}<div>{% endfor %}", NotificationChannel.Email)));

        Assert.Equal(TemplateErrorKind.Budget, error.Kind);
    }

    [Fact]
    public async Task Markdown_of_unclosed_links_renders_within_its_limit_quickly_and_is_refused_past_it()
    {
        await AssertFastAsync("{{ payload.h | markdown_to_html }}", Repeat("[a](", 16 * 1024));

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TemplateRenderException>(() =>
            _engine.RenderAsync(Request("{{ payload.h | markdown_to_html }}", NotificationChannel.Email, Json(Repeat("[a](", 512 * 1024)))));
        Assert.Equal(TemplateErrorKind.Budget, error.Kind);
        Assert.True(clock.Elapsed < Quickly, $"refusing 512 KB of markdown took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("{% assign s = 'ab' %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}{{ s }}")]
    [InlineData("{% assign s = 'ab' %}{% for i in (1..30) %}{% assign s = s | prepend: s %}{% endfor %}{{ s }}")]
    [InlineData("{% assign s = 'ab' %}{% for i in (1..30) %}{% assign s = s | replace: 'a', s %}{% endfor %}{{ s }}")]
    [InlineData("{% capture s %}ab{% endcapture %}{% for i in (1..30) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s }}")]
    [InlineData("{% assign a = 'x,y' | split: ',' %}{% for i in (1..30) %}{% assign a = a | concat: a %}{% endfor %}{{ a | size }}")]
    [InlineData("{% assign s = '<>' %}{% for i in (1..30) %}{% assign s = s | escape | append: s %}{% endfor %}{{ s }}")]
    [InlineData("{% assign s = 'abcdefgh' %}{% for i in (1..30) %}{% assign s = s | append: s | json %}{% endfor %}{{ s }}")]
    public async Task A_template_that_doubles_a_value_thirty_times_fails_clearly_quickly(string template)
    {
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TemplateRenderException>(() => _engine.RenderAsync(Request(template, NotificationChannel.Email)));

        Assert.True(clock.Elapsed < Quickly, $"took {clock.Elapsed}");
        Assert.Equal(TemplateErrorKind.Budget, error.Kind);
        Assert.Contains("longer than 1,048,576 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_longer_than_the_budget_fails_while_it_is_written()
    {
        var engine = Engine(options: new TemplateEngineOptions { MaxOutputLength = 10_000 });

        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => engine.RenderPlainAsync("{% for i in (1..2000) %}{{ payload.h }}{% endfor %}", Json(new string('x', 100))));

        Assert.Equal(TemplateErrorKind.Budget, error.Kind);
        Assert.Contains("10,000 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_within_the_budget_is_rendered_whole()
    {
        var engine = Engine(options: new TemplateEngineOptions { MaxOutputLength = 10_000 });

        var body = await engine.RenderPlainAsync("{% for i in (1..99) %}{{ payload.h }}{% endfor %}", Json(new string('x', 100)));

        Assert.Equal(9_900, body.Length);
    }

    [Fact]
    public async Task Single_characters_of_a_string_are_encoded_in_an_html_body()
    {
        var payload = Json("<img src=x onerror=alert(document.cookie)>\"");

        var looped = await _engine.RenderAsync(Request("<ul>{% for c in payload.h %}{{ c }}{% endfor %}</ul>", NotificationChannel.Email, payload));
        var first = await _engine.RenderAsync(Request("{{ payload.h | first }}{{ payload.h | last }}", NotificationChannel.InApp, payload));

        Assert.Equal("<ul>&lt;img src=x onerror=alert(document.cookie)&gt;&quot;</ul>", looped.Body);
        Assert.Equal("&lt;&quot;", first.Body);
    }

    [Fact]
    public async Task Numbers_and_booleans_still_render_as_before_in_an_html_body()
    {
        var result = await _engine.RenderAsync(Request("{{ payload.n }} {{ payload.d }} {{ payload.b }} {{ payload.n | plus: 1 }}", NotificationChannel.Email, """{"n": 41, "d": 12.50, "b": true}"""));

        Assert.Equal("41 12.5 true 42", result.Body);
    }

    [Theory]
    [InlineData("javascript:alert(document.cookie)", "#")]
    [InlineData("  JavaScript:alert(1)", "#")]
    [InlineData("java\tscript:alert(1)", "#")]
    [InlineData("data:text/html;base64,PHNjcmlwdD4=", "#")]
    [InlineData("vbscript:msgbox(1)", "#")]
    [InlineData("https://shop.example/o?id=1&x=2", "https://shop.example/o?id=1&amp;x=2")]
    [InlineData("mailto:help@example.com", "mailto:help@example.com")]
    [InlineData("/orders/42", "/orders/42")]
    [InlineData("orders/42?next=a:b", "orders/42?next=a:b")]
    [InlineData("\" onmouseover=\"alert(1)", "&quot; onmouseover=&quot;alert(1)")]
    public async Task The_url_filter_turns_unsafe_schemes_into_a_hash(string url, string expected)
    {
        var result = await _engine.RenderAsync(Request("<a href=\"{{ payload.h | url }}\">go</a>", NotificationChannel.Email, Json(url)));

        Assert.Equal($"<a href=\"{expected}\">go</a>", result.Body);
    }

    [Theory]
    [InlineData("sanitize_email", "<a href=\"javascript:alert(1)\">x</a><img src=\"data:text/html,x\"><a href=\"vbscript:x\">y</a>")]
    [InlineData("sanitize_inapp", "<a href=\" javascript:alert(1)\">x</a><a href=\"data:text/html,x\">y</a>")]
    [InlineData("sanitize_email", "<svg><script>alert(1)</script></svg><math><mi xlink:href=\"javascript:alert(1)\">m</mi></math><form action=\"javascript:x\"><button formaction=\"javascript:x\">b</button></form>")]
    [InlineData("sanitize_email", "<p style=\"background:url(javascript:alert(1))\">p</p><div style=\"width: expression(alert(1))\">d</div>")]
    [InlineData("sanitize_email", "<scr<script>ipt>alert(1)</script><img src=x onerror=alert(1)//><a href=\"&#106;avascript:alert(1)\">z</a>")]
    [InlineData("markdown_to_html", "[x](javascript:alert(1)) ![y](data:text/html,x) <javascript:alert(1)> <img src=x onerror=alert(1)>")]
    public async Task Script_in_sanitised_or_markdown_input_is_neutralised(string filter, string hostile)
    {
        var result = await _engine.RenderAsync(Request($"{{{{ payload.h | {filter} }}}}", NotificationChannel.Email, Json(hostile)));

        Assert.DoesNotContain("javascript:", result.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("vbscript:", result.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:", result.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", result.Body, StringComparison.OrdinalIgnoreCase);
        // An event handler inside a tag; the same words as encoded text are harmless.
        Assert.DoesNotMatch(@"(?i)<[a-z][^>]*\son[a-z]+\s*=", result.Body);
        Assert.DoesNotContain("expression(", result.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<svg", result.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<form", result.Body, StringComparison.OrdinalIgnoreCase);
    }

    private static string Repeat(string text, int length) =>
        string.Concat(Enumerable.Repeat(text, (length / text.Length) + 1))[..length];

    private static string Json(string value) => JsonSerializer.Serialize(new Dictionary<string, string> { ["h"] = value });

    private async Task AssertFastAsync(string template, string payload)
    {
        var json = Json(payload);
        await _engine.RenderAsync(Request(template, NotificationChannel.Email, Json("warm up")));
        var clock = Stopwatch.StartNew();

        await _engine.RenderAsync(Request(template, NotificationChannel.Email, json));

        Assert.True(clock.Elapsed < Quickly, $"{template} over {payload.Length:N0} characters took {clock.Elapsed}");
    }
}
