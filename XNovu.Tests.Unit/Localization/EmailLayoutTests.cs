using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Localization;

public sealed class EmailLayoutTests
{
    private static readonly EmailLayout Brand = new(
        "brand", 2, "<h1>Acme for {{ subscriber.firstName }}</h1>", "<small>Unsubscribe: {{ payload.link }}</small>",
        "https://cdn.acme.test/logo.png", "#ff0000", "#fafafa", "Acme <Support>");

    private static TemplateDefinition Email(EmailLayout? layout, NotificationChannel channel = NotificationChannel.Email) =>
        new(Acme, "welcome", channel, "Hi", "<p>Body {{ payload.name }}</p>", DateTimeOffset.UnixEpoch) { Layout = layout };

    [Fact]
    public async Task An_email_is_rendered_inside_its_layout_header_logo_colours_and_footer()
    {
        var template = EmailLayout.Apply(Email(Brand));

        var body = (await Engine().RenderAsync(RenderRequest.For(template, Acme, JsonOf("""{"name":"Ann","link":"javascript:alert(1)"}"""),
            new SubscriberVariables("s", FirstName: "<b>Ann</b>")))).Body;

        Assert.Contains("<h1>Acme for &lt;b&gt;Ann&lt;/b&gt;</h1>", body, StringComparison.Ordinal);
        Assert.Contains("<p>Body Ann</p>", body, StringComparison.Ordinal);
        Assert.Contains("""<img src="https://cdn.acme.test/logo.png" alt="Acme &lt;Support&gt;" """, body, StringComparison.Ordinal);
        Assert.Contains("border-top:4px solid #ff0000", body, StringComparison.Ordinal);
        Assert.Contains("Unsubscribe: javascript:alert(1)", body, StringComparison.Ordinal);
        Assert.True(body.IndexOf("<h1>", StringComparison.Ordinal) < body.IndexOf("<p>Body", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_email_templates_that_name_a_layout_are_wrapped()
    {
        Assert.Equal("<p>Body {{ payload.name }}</p>", EmailLayout.Apply(Email(null)).BodyTemplate);
        Assert.Equal("<p>Body {{ payload.name }}</p>", EmailLayout.Apply(Email(Brand, NotificationChannel.InApp)).BodyTemplate);
    }

    [Fact]
    public async Task A_hostile_layout_is_bounded_like_a_template()
    {
        // 1,000 copies of a 100 KB value: 100 MB of output if nothing stopped it.
        var hostile = Brand with { Header = "{% for a in (1..1000) %}{{ payload.big }}{% endfor %}" };
        var payload = JsonOf(System.Text.Json.JsonSerializer.Serialize(new { big = new string('a', 100_000) }));

        var error = await Assert.ThrowsAsync<TemplateRenderException>(() =>
            Engine().RenderAsync(RenderRequest.For(EmailLayout.Apply(Email(hostile)), Acme, payload)));

        Assert.Equal(TemplateErrorKind.Budget, error.Kind);
    }

    [Theory]
    [InlineData("https://cdn.acme.test/logo.png", true)]
    [InlineData("http://cdn.acme.test/l.png?x=1", true)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("https://x.test/\" onerror=\"alert(1)", false)]
    [InlineData("https://x.test/{{ payload.x }}", false)]
    [InlineData("/relative.png", false)]
    public void A_logo_url_is_an_absolute_http_url_that_cannot_leave_its_attribute(string url, bool safe) =>
        Assert.Equal(safe, EmailLayout.IsSafeLogoUrl(url));

    [Theory]
    [InlineData("#fff", true)]
    [InlineData("#12ab34", true)]
    [InlineData("red", false)]
    [InlineData("#fff;background:url(x)", false)]
    public void A_colour_is_a_hex_colour(string color, bool safe) => Assert.Equal(safe, EmailLayout.IsSafeColor(color));
}
