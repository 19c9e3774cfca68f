using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Templates;

public sealed class ValidationTests
{
    private readonly LiquidTemplateEngine _engine = Engine();

    [Fact]
    public void Well_formed_liquid_is_valid()
    {
        var result = _engine.Validate("""
            {% if payload.items.size > 0 %}
              {% for item in payload.items %}{{ item.name | upcase }}{% endfor %}
            {% else %}nothing{% endif %}
            {% xnovu_render "footer", year: 2026 %}
            """);

        Assert.True(result.IsValid, result.Describe());
        Assert.Null(result.Error);
    }

    [Fact]
    public void A_block_never_closed_is_reported_at_its_opening_tag()
    {
        var result = _engine.Validate("Hello\n{% if payload.vip %}\nVIP");

        Assert.False(result.IsValid);
        Assert.Equal("if tag was never closed", result.Error);
        Assert.Equal((2, 1), (result.Line, result.Column));
    }

    [Fact]
    public void The_unclosed_block_is_found_after_closed_ones_of_the_same_name()
    {
        var result = _engine.Validate("{% if a %}x{% endif %}\n  {% if b %}{% if c %}{% endif %}");

        Assert.Equal((2, 3), (result.Line, result.Column));
    }

    [Fact]
    public void An_unterminated_output_is_reported_where_it_starts()
    {
        var result = _engine.Validate("line 1\nHi {{ subscriber.firstName");

        Assert.False(result.IsValid);
        Assert.Equal("Output '{{ subscriber.firstName' is not closed with '}}'", result.Error);
        Assert.Equal((2, 4), (result.Line, result.Column));
    }

    [Fact]
    public void An_unterminated_tag_is_reported_where_it_starts()
    {
        var result = _engine.Validate("a {% if x }} b");

        Assert.False(result.IsValid);
        Assert.Equal((1, 3), (result.Line, result.Column));
    }

    [Fact]
    public void An_unknown_tag_is_reported_at_the_tag()
    {
        var result = _engine.Validate("one\ntwo\n   {% shout 'hi' %}");

        Assert.False(result.IsValid);
        Assert.Equal("Unknown tag 'shout'", result.Error);
        Assert.Equal((3, 4), (result.Line, result.Column));
    }

    [Fact]
    public void A_malformed_tag_is_reported_at_that_tag_not_an_earlier_one_of_its_kind()
    {
        var result = _engine.Validate("{% for a in b %}{% endfor %}\n{% for %}{% endfor %}");

        Assert.False(result.IsValid);
        Assert.Contains("'for' tag", result.Error, StringComparison.Ordinal);
        Assert.Equal((2, 1), (result.Line, result.Column));
    }

    [Fact]
    public void A_mismatched_end_tag_is_reported_at_the_end_tag()
    {
        var result = _engine.Validate("{% if a %}\n  x {% endfor %}");

        Assert.False(result.IsValid);
        Assert.Equal((2, 5), (result.Line, result.Column));
    }

    [Fact]
    public void Describe_puts_the_position_after_the_error()
    {
        var result = _engine.Validate("{% nope %}");

        Assert.Equal("Unknown tag 'nope' (line 1, column 1)", result.Describe());
    }

    [Fact]
    public async Task Rendering_a_body_that_does_not_parse_is_a_syntax_error_with_its_position()
    {
        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => _engine.RenderAsync(Request("ok\n {% if %}{% endif %}")));

        Assert.Equal(TemplateErrorKind.Syntax, error.Kind);
        Assert.Equal((2, 2), (error.Line, error.Column));
        Assert.StartsWith("The body does not parse:", error.Message, StringComparison.Ordinal);
    }
}
