using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Templates;

public sealed class RenderTests
{
    private readonly LiquidTemplateEngine _engine = Engine();

    [Fact]
    public async Task Subject_and_body_see_payload_subscriber_and_enterprise()
    {
        var request = new RenderRequest(
            Acme,
            NotificationChannel.Email,
            "  Order {{ payload.order.id }} for {{ enterprise.name }}\n",
            "<p>Dear {{ subscriber.firstName }} {{ subscriber.lastName }} ({{ subscriber.email }}, {{ subscriber.data.tier }}): {{ payload.order.total }} in {{ enterprise.id }}</p>",
            JsonOf("""{"order": {"id": 1001, "total": 19.99}}"""),
            new SubscriberVariables("sub-1", "ann@example.com", "+15550100", "Ann", "Lee", "en-GB", JsonOf("""{"tier": "gold"}""")),
            new EnterpriseVariables(Acme, "Acme"));

        var result = await _engine.RenderAsync(request);

        Assert.Equal("Order 1001 for Acme", result.Subject);
        Assert.Equal($"<p>Dear Ann Lee (ann@example.com, gold): 19.99 in {Acme}</p>", result.Body);
    }

    [Fact]
    public async Task Without_a_subject_template_there_is_no_subject()
    {
        var result = await _engine.RenderAsync(Request("hi", NotificationChannel.Sms));

        Assert.Null(result.Subject);
    }

    [Fact]
    public async Task Email_text_version_is_the_body_without_markup()
    {
        var result = await _engine.RenderAsync(Request("<h1>Hi {{ payload.name }}</h1><p>See <a href=\"https://x.example\">this</a>.</p>", NotificationChannel.Email, """{"name": "A&B"}"""));

        Assert.Equal("<h1>Hi A&amp;B</h1><p>See <a href=\"https://x.example\">this</a>.</p>", result.Body);
        Assert.Equal("Hi A&B\n\nSee this (https://x.example).", result.Text);
    }

    [Fact]
    public async Task Payload_numbers_and_booleans_keep_their_types()
    {
        var body = await _engine.RenderPlainAsync(
            "{% if payload.count > 2 and payload.active %}{{ payload.count | plus: 1 }}{% endif %} {{ payload.big }} {{ payload.items.size }}",
            """{"count": 3, "active": true, "big": 9007199254740993, "items": [1, 2]}""");

        Assert.Equal("4 9007199254740993 2", body);
    }

    [Fact]
    public async Task A_failing_filter_is_a_runtime_error_without_a_stack_trace()
    {
        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => _engine.RenderPlainAsync("{{ 10 | divided_by: payload.zero }}", """{"zero": 0}"""));

        Assert.Equal(TemplateErrorKind.Runtime, error.Kind);
        Assert.StartsWith("Liquid error: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_loop_over_more_items_than_allowed_is_a_runtime_error()
    {
        var engine = Engine(options: new TemplateEngineOptions { MaxLoopIterations = 100 });

        Assert.Equal(100, (await engine.RenderPlainAsync("{% for i in (1..100) %}x{% endfor %}")).Length);
        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => engine.RenderPlainAsync("{% for i in (1..101) %}x{% endfor %}"));

        Assert.Equal(TemplateErrorKind.Runtime, error.Kind);
    }

    [Fact]
    public async Task A_render_running_past_its_timeout_is_stopped()
    {
        var engine = Engine(time: TimeProvider.System, options: new TemplateEngineOptions { RenderTimeout = TimeSpan.FromMilliseconds(100) });

        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            // Work without output: a loop that writes reaches the output budget first on a fast machine.
            () => engine.RenderPlainAsync("{% for a in (1..10000) %}{% for b in (1..10000) %}{% assign x = b %}{% endfor %}{% endfor %}"));

        Assert.Equal(TemplateErrorKind.Budget, error.Kind);
        Assert.Contains("took longer than 0.1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dotliquids_file_include_is_not_available()
    {
        var error = await Assert.ThrowsAsync<TemplateRenderException>(
            () => _engine.RenderPlainAsync("{% include 'secrets' %}"));

        Assert.Equal(TemplateErrorKind.Runtime, error.Kind);
    }

    [Fact]
    public async Task Stored_template_renders_through_RenderRequest_For()
    {
        var definition = new TemplateDefinition(Acme, "welcome", NotificationChannel.InApp, "Welcome {{ subscriber.firstName }}", "Hi <b>{{ subscriber.firstName }}</b>", DateTimeOffset.UnixEpoch);

        var result = await _engine.RenderAsync(RenderRequest.For(definition, Acme, subscriber: new SubscriberVariables("s", FirstName: "<Ann>")));

        Assert.Equal("Welcome <Ann>", result.Subject);
        Assert.Equal("Hi <b>&lt;Ann&gt;</b>", result.Body);
    }

    [Theory]
    [InlineData("IN_APP", NotificationChannel.InApp)]
    [InlineData("EMAIL", NotificationChannel.Email)]
    [InlineData("SMS", NotificationChannel.Sms)]
    [InlineData("CHAT", NotificationChannel.Chat)]
    [InlineData("PUSH", NotificationChannel.Push)]
    public void Channel_names_match_the_database_enum(string wireName, NotificationChannel channel)
    {
        Assert.True(NotificationChannelNames.TryParse(wireName, out var parsed));
        Assert.Equal(channel, parsed);
        Assert.Equal(wireName, channel.ToWireName());
    }

    [Fact]
    public void AddXNovuTemplates_registers_one_engine_for_the_process()
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["XNovu:Templates:MaxIncludeDepth"] = "4" }).Build())
            .AddSingleton<ILiquidTemplateSource>(new InMemoryTemplateSource())
            .AddXNovuTemplates();
        using var provider = services.BuildServiceProvider();

        var engine = provider.GetRequiredService<ITemplateEngine>();

        Assert.Same(engine, provider.GetRequiredService<ITemplateEngine>());
        Assert.Same(engine, provider.GetRequiredService<LiquidTemplateEngine>());
        Assert.Equal(4, provider.GetRequiredService<IOptions<TemplateEngineOptions>>().Value.MaxIncludeDepth);
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["XNovu:Templates:MaxIncludeDepth"] = "0" }).Build())
            .AddSingleton<ILiquidTemplateSource>(new InMemoryTemplateSource())
            .AddXNovuTemplates();
        using var provider = services.BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TemplateEngineOptions>>().Value);
    }
}
