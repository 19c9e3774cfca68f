using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Templates;

public sealed class IncludeTests
{
    private readonly InMemoryTemplateSource _source = new();

    [Fact]
    public async Task Include_renders_the_named_template_with_its_arguments_beside_the_callers_variables()
    {
        _source.Put(Acme, "greeting", "Hello {{ name }}, order {{ payload.orderId }}.");
        var engine = Engine(_source);

        var result = await engine.RenderAsync(Request("""{% xnovu_render "greeting", name: "Ann" %} Bye.""", NotificationChannel.Sms, """{"orderId": 42}"""));

        Assert.Equal("Hello Ann, order 42. Bye.", result.Body);
    }

    [Fact]
    public async Task Include_arguments_can_be_taken_from_the_payload()
    {
        _source.Put(Acme, "line", "{{ label }}={{ amount }}");
        var engine = Engine(_source);

        var body = await engine.RenderPlainAsync("""{% xnovu_render 'line', label: payload.item.name, amount: payload.item.price %}""", """{"item": {"name": "tea", "price": 3.5}}""");

        Assert.Equal("tea=3.5", body);
    }

    [Fact]
    public async Task Include_arguments_do_not_outlive_the_include()
    {
        _source.Put(Acme, "part", "[{{ name }}]");
        var engine = Engine(_source);

        var body = await engine.RenderPlainAsync("""{% xnovu_render "part", name: "inner" %}({{ name }})""");

        Assert.Equal("[inner]()", body);
    }

    [Fact]
    public async Task Include_of_another_enterprises_key_is_not_found()
    {
        _source.Put(Globex, "footer", "Globex footer");
        var engine = Engine(_source);

        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => engine.RenderAsync(Request("""{% xnovu_render "footer" %}""", enterpriseId: Acme)));

        Assert.Equal(TemplateErrorKind.MissingInclude, error.Kind);
        Assert.Equal("footer", error.TemplateKey);
    }

    [Fact]
    public async Task Include_resolves_the_enterprises_own_template_before_the_static_one()
    {
        _source.Put(null, "footer", "static footer");
        _source.Put(Acme, "footer", "Acme footer");
        var engine = Engine(_source);

        var acme = await engine.RenderAsync(Request("""{% xnovu_render "footer" %}""", NotificationChannel.Sms, enterpriseId: Acme));
        var globex = await engine.RenderAsync(Request("""{% xnovu_render "footer" %}""", NotificationChannel.Sms, enterpriseId: Globex));

        Assert.Equal("Acme footer", acme.Body);
        Assert.Equal("static footer", globex.Body);
    }

    [Fact]
    public async Task Includes_nest_ten_deep()
    {
        PutChain(10);
        var engine = Engine(_source);

        var body = await engine.RenderPlainAsync("""{% xnovu_render "level-1" %}""");

        Assert.Equal("1,2,3,4,5,6,7,8,9,10.", body);
    }

    [Fact]
    public async Task An_eleventh_nested_include_is_an_error()
    {
        PutChain(11);
        var engine = Engine(_source);

        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => engine.RenderPlainAsync("""{% xnovu_render "level-1" %}"""));

        Assert.Equal(TemplateErrorKind.IncludeDepth, error.Kind);
        Assert.Contains("deeper than 10", error.Message, StringComparison.Ordinal);
        Assert.Equal("level-11", error.TemplateKey);
    }

    [Fact]
    public async Task Depth_limit_follows_the_option()
    {
        PutChain(3);
        var engine = Engine(_source, options: new TemplateEngineOptions { MaxIncludeDepth = 2 });

        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => engine.RenderPlainAsync("""{% xnovu_render "level-1" %}"""));

        Assert.Equal(TemplateErrorKind.IncludeDepth, error.Kind);
    }

    [Fact]
    public async Task Include_cycle_is_an_error_naming_the_chain()
    {
        _source.Put(Acme, "a", """A{% xnovu_render "b" %}""");
        _source.Put(Acme, "b", """B{% xnovu_render "a" %}""");
        var engine = Engine(_source);

        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => engine.RenderPlainAsync("""{% xnovu_render "a" %}"""));

        Assert.Equal(TemplateErrorKind.IncludeCycle, error.Kind);
        Assert.Contains("a → b → a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stored_template_that_includes_itself_is_a_cycle()
    {
        var self = _source.Put(Acme, "self", """x{% xnovu_render "self" %}""");
        var engine = Engine(_source);

        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => engine.RenderAsync(RenderRequest.For(self, Acme)));

        Assert.Equal(TemplateErrorKind.IncludeCycle, error.Kind);
        Assert.Contains("self → self", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_template_may_be_included_twice_side_by_side()
    {
        _source.Put(Acme, "dot", ".");
        var engine = Engine(_source);

        var body = await engine.RenderPlainAsync("""{% xnovu_render "dot" %}{% xnovu_render "dot" %}""");

        Assert.Equal("..", body);
    }

    [Fact]
    public async Task Missing_include_is_an_error_naming_the_key_and_its_includer()
    {
        _source.Put(Acme, "outer", """{% xnovu_render "nowhere" %}""");
        var engine = Engine(_source);

        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => engine.RenderPlainAsync("""{% xnovu_render "outer" %}"""));

        Assert.Equal(TemplateErrorKind.MissingInclude, error.Kind);
        Assert.Equal("Template 'nowhere' (included from 'outer') does not exist for this enterprise.", error.Message);
    }

    [Fact]
    public async Task Include_in_a_branch_not_taken_need_not_exist()
    {
        var engine = Engine(_source);

        var body = await engine.RenderPlainAsync("""{% if payload.vip %}{% xnovu_render "vip-banner" %}{% endif %}ok""", """{"vip": false}""");

        Assert.Equal("ok", body);
    }

    [Fact]
    public async Task Included_template_that_does_not_parse_is_a_syntax_error_with_its_position()
    {
        _source.Put(Acme, "broken", "line one\n  {% if x %}");
        var engine = Engine(_source);

        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => engine.RenderPlainAsync("""{% xnovu_render "broken" %}"""));

        Assert.Equal(TemplateErrorKind.Syntax, error.Kind);
        Assert.Equal("broken", error.TemplateKey);
        Assert.Equal((2, 3), (error.Line, error.Column));
    }

    [Fact]
    public void Include_key_must_be_a_quoted_literal()
    {
        var engine = Engine();

        var result = engine.Validate("{% xnovu_render payload.key %}");

        Assert.False(result.IsValid);
        Assert.Contains("xnovu_render", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_arguments_must_be_name_value_pairs()
    {
        var engine = Engine();

        Assert.True(engine.Validate("""{% xnovu_render "k", a: 1, b: payload.x, c: 'y' %}""").IsValid);
        Assert.False(engine.Validate("""{% xnovu_render "k", a %}""").IsValid);
        Assert.False(engine.Validate("""{% xnovu_render "k" a: 1 %}""").IsValid);
    }

    [Fact]
    public async Task Included_markup_in_the_payload_is_escaped_in_an_email_body()
    {
        _source.Put(Acme, "card", "<p>{{ who }}</p>", channel: NotificationChannel.Sms);
        var engine = Engine(_source);

        var result = await engine.RenderAsync(Request("""{% xnovu_render "card", who: payload.name %}""", payload: """{"name": "<img src=x onerror=alert(1)>"}"""));

        Assert.Equal("<p>&lt;img src=x onerror=alert(1)&gt;</p>", result.Body);
    }

    [Fact]
    public async Task Include_inside_a_loop_sees_the_loop_variable()
    {
        _source.Put(Acme, "item", "{{ item }};");
        var engine = Engine(_source);

        var body = await engine.RenderPlainAsync("""{% for item in payload.items %}{% xnovu_render "item" %}{% endfor %}""", """{"items": ["a", "b"]}""");

        Assert.Equal("a;b;", body);
    }

    private void PutChain(int length)
    {
        for (var level = 1; level <= length; level++)
        {
            var next = level < length ? $$$"""{% xnovu_render "level-{{{level + 1}}}" %}""" : ".";
            _source.Put(Acme, $"level-{level}", level < length ? $"{level},{next}" : $"{level}{next}");
        }
    }
}
