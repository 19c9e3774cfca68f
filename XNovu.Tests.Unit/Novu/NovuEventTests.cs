using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XNovu.Core.Definitions;
using XNovu.Core.Novu;
using XNovu.Core.Templates;
using XNovu.NovuClient;
using XNovu.Tests.Unit.Templates;

namespace XNovu.Tests.Unit.Novu;

/// <summary>The Novu event: what of the payload it carries, its size as sent, and the bound that spares a render.</summary>
public sealed class NovuEventTests
{
    private static readonly Guid Enterprise = TemplateTesting.Acme;

    [Fact]
    public void Only_the_named_payload_fields_are_passed_on_at_their_own_places()
    {
        var payload = TemplateTesting.JsonOf("""{"orderId":"o-1","order":{"total":12,"card":"4111"},"secret":"s","items":[1,2]}""");

        var selected = NovuPayloadPaths.Select(payload, ["orderId", "order.total", "items", "missing", "order.missing.deeper"]);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"orderId":"o-1","order":{"total":12},"items":[1,2]}"""), selected));
    }

    [Fact]
    public void A_field_passed_on_whole_is_not_split_by_a_path_under_it()
    {
        var payload = TemplateTesting.JsonOf("""{"order":{"total":12,"card":"4111"}}""");

        var selected = NovuPayloadPaths.Select(payload, ["order.total", "order"]);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"order":{"total":12,"card":"4111"}}"""), selected));
    }

    [Fact]
    public void No_paths_pass_nothing_on()
    {
        Assert.Empty(NovuPayloadPaths.Select(TemplateTesting.JsonOf("""{"a":1}"""), []));
    }

    [Theory]
    [InlineData("orderId")]
    [InlineData("order.total")]
    [InlineData("a_b-c.D9")]
    [InlineData("xnovuish")]
    public void A_dotted_path_of_names_is_valid(string path) => Assert.Null(NovuPayloadPaths.Problem(path));

    [Theory]
    [InlineData("")]
    [InlineData("order..total")]
    [InlineData(".order")]
    [InlineData("order.")]
    [InlineData("order total")]
    [InlineData("items[0]")]
    [InlineData("a\u0000b")]
    [InlineData("xnovu")]
    [InlineData("xnovu.channels")]
    public void Anything_else_is_refused(string path) => Assert.NotNull(NovuPayloadPaths.Problem(path));

    [Fact]
    public void A_path_over_200_characters_is_refused() => Assert.NotNull(NovuPayloadPaths.Problem(new string('a', 201)));

    [Fact]
    public void The_event_carries_the_rendered_content_under_xnovu_beside_the_passed_fields_for_the_namespaced_subscriber_and_transaction()
    {
        var workflow = Workflow("{{ payload.body }}", novuPayload: ["orderId"]);
        var payload = TemplateTesting.JsonOf("""{"orderId":"o-1","body":"Hello","secret":"s"}""");

        var request = NovuEvents.Build(workflow, Enterprise, "Acme", 42, "tx-1", new NovuSubscriber { SubscriberId = "ann", Email = "a@x.test" },
            payload, [new RenderedChannel(NotificationChannel.Email, "Hi", "Hello")], null);

        var sent = JsonNode.Parse(request.Payload!.Value.GetRawText())!.AsObject();
        Assert.Equal(["orderId", "xnovu"], sent.Select(p => p.Key));
        Assert.Equal(42, (long)sent["xnovu"]!["notificationId"]!);
        Assert.Equal("Hello", (string)sent["xnovu"]!["channels"]!["EMAIL"]!["body"]!);
        Assert.Equal(NovuNames.SubscriberId(Enterprise, "ann"), request.To[0].SubscriberId);
        Assert.Equal(NovuNames.WorkflowId(Enterprise, "wf"), request.Name);
        Assert.Equal(NovuNames.TransactionId(Enterprise, "tx-1"), request.TransactionId);
    }

    [Fact]
    public async Task The_measured_size_is_exactly_what_the_Novu_client_sends()
    {
        var handler = new FakeNovuHandler(_ => FakeNovuHandler.Processed("tx-1"));
        var client = NovuClientFactory.Create(handler);
        var channels = new[] { new RenderedChannel(NotificationChannel.Email, "Été \"quoted\"", "<p>Hello &amp; 'bye' — 😀</p>") };
        var request = NovuEvents.Build(Workflow("x"), Enterprise, "Acmé <Corp>", 42, "tx-1",
            new NovuSubscriber { SubscriberId = "ann", Data = TemplateTesting.JsonOf("""{"bio":"<b>ünï</b>"}""") },
            TemplateTesting.JsonOf("{}"), channels, """{"email":{"from":"a@b.c"}}""");

        var size = NovuEvents.Measure(request, channels);
        await client.TriggerAsync(request);

        Assert.Equal(Encoding.UTF8.GetByteCount(Assert.Single(handler.Requests).Body!), size.Bytes);
        Assert.Equal(NotificationChannel.Email, size.LargestChannel);
        Assert.True(size.Fits);
    }

    [Fact]
    public void An_event_over_the_limit_says_its_size_the_limit_and_the_channel()
    {
        var size = new NovuEventSize(700_000, NotificationChannel.Email, 650_000);

        Assert.False(size.Fits);
        Assert.Contains("700,000", size.Describe(), StringComparison.Ordinal);
        Assert.Contains("524,288", size.Describe(), StringComparison.Ordinal);
        Assert.Contains("EMAIL", size.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_small_payload_through_default_email_is_bounded_far_below_the_limit_so_it_is_not_rendered()
    {
        var workflow = Workflow("{{ payload.body }}", subject: "{{ payload.subject | default: \"Notification\" }}");

        var bound = NovuEventBound.Of(workflow, new EventInputs(1024, 30, 40, 0));

        Assert.NotNull(bound);
        Assert.InRange(bound!.Value, 1, 100 * 1024);
    }

    [Fact]
    public void Unsubscribe_links_raise_an_email_workflows_bound_by_the_link_in_its_outputs_and_in_the_List_Unsubscribe_headers()
    {
        var workflow = Workflow("{{ payload.body }}");

        var without = NovuEventBound.Of(workflow, new EventInputs(1024, 30, 40, 0))!.Value;
        var with = NovuEventBound.Of(workflow, new EventInputs(1024, 30, 40, 0, UnsubscribeUrlBytes: 400))!.Value;

        Assert.True(with - without >= NovuEventBound.EscapeFactor * (400 + NovuEventBound.UnsubscribeHeaderBytes));
    }

    [Fact]
    public void A_300_KB_payload_bounds_over_the_limit_so_it_is_rendered_and_measured()
    {
        var bound = NovuEventBound.Of(Workflow("{{ payload.body }}"), new EventInputs(300 * 1024, 30, 40, 0));

        Assert.True(bound > NovuLimits.MaxEventBytes);
    }

    [Theory]
    [InlineData("{% for i in (1..1000) %}{{ payload.body }}{% endfor %}")]
    [InlineData("{% assign x = payload.body | append: payload.body %}{{ x }}")]
    [InlineData("{% capture x %}{{ payload.body }}{% endcapture %}{{ x }}{{ x }}")]
    [InlineData("{% xnovu_render \"other\" %}")]
    [InlineData("{{ payload.body | replace: \"a\", \"aaaaaaaaaa\" }}")]
    [InlineData("{{ payload.items | join: \"----------\" }}")]
    [InlineData("{{ payload.body | escape | escape }}")]
    [InlineData("{{ payload.body | markdown_to_html }}")]
    public void A_template_that_can_repeat_or_build_text_has_no_bound(string body) =>
        Assert.Null(NovuEventBound.Of(Workflow(body), new EventInputs(10, 10, 10, 0)));

    [Theory]
    [InlineData("{{ payload.body }}", "\"")]
    [InlineData("{{ payload.body | escape }}", "&")]
    [InlineData("{{ payload.body | escape }}", "<")]
    [InlineData("<p>{{ payload.body | upcase }}</p>{% if payload.body %}{{ payload.body | truncate: 5000 }}{% endif %}", "'")]
    [InlineData("{{ payload.body | url_encode }}", "é")]
    [InlineData("{{ subscriber.data.bio }} {{ payload.body | default: \"x\" }}", "😀")]
    [InlineData("Ünïcödé text {{ payload.body | date: \"%c%c%c\" }}", "\u2028")]
    public async Task The_bound_is_never_below_the_event_as_rendered_and_sent(string body, string character)
    {
        var workflow = Workflow(body, subject: "{{ payload.body | escape }}", novuPayload: ["body"]);
        var payload = JsonSerializer.SerializeToElement(new { body = string.Concat(Enumerable.Repeat(character, 2000)) });
        var subscriber = new NovuSubscriber { SubscriberId = "ann", Data = JsonSerializer.SerializeToElement(new { bio = "<\"bio\">" }) };
        var engine = TemplateTesting.Engine();
        var template = workflow.Channels[0].Template!;

        var rendered = await NovuEvents.RenderAsync(engine, template, Enterprise, "Acme", payload, subscriber, CancellationToken.None);
        var request = NovuEvents.Build(workflow, Enterprise, "Acme", long.MaxValue, "tx-1", subscriber, payload, [rendered], null);
        var measured = NovuEvents.Measure(request, [rendered]).Bytes;
        var bound = NovuEventBound.Of(workflow, new EventInputs(
            Encoding.UTF8.GetByteCount(payload.GetRawText()),
            Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(subscriber)),
            Encoding.UTF8.GetByteCount("tx-1"),
            0));

        Assert.NotNull(bound);
        Assert.True(measured <= bound, $"measured {measured} > bound {bound}");
        Assert.True(measured <= NovuEvents.QuickBound(request), $"measured {measured} > the dispatcher's quick bound {NovuEvents.QuickBound(request)}");
    }

    [Theory]
    [InlineData("a", 1_000)]
    [InlineData("<", 40_000)]
    [InlineData("\u2028", 60_000)]
    [InlineData("😀", 30_000)]
    [InlineData("\"", 100_000)]
    public void The_quick_bound_spares_a_measure_only_when_the_event_surely_fits(string character, int repeat)
    {
        var text = string.Concat(Enumerable.Repeat(character, repeat));
        var payload = JsonSerializer.SerializeToElement(new { body = text });
        var subscriber = new NovuSubscriber { SubscriberId = "ann", Email = "a@b.c", Data = JsonSerializer.SerializeToElement(new { bio = text }) };
        var channels = new[] { new RenderedChannel(NotificationChannel.Email, text, text) };
        var request = NovuEvents.Build(Workflow("x", novuPayload: ["body"]), Enterprise, "Acme", 1, "tx-1", subscriber, payload, channels, """{"a":"<b>"}""");

        var measured = NovuEvents.Measure(request, channels).Bytes;
        var quick = NovuEvents.QuickBound(request);

        Assert.True(measured <= quick, $"measured {measured} > quick bound {quick}");
        // The check both the API and the dispatcher make answers the exact size exactly when the event is over.
        Assert.Equal(measured > NovuLimits.MaxEventBytes ? measured : null, NovuEvents.Overflow(request, channels)?.Bytes);
        // A small event is spared its measure; the bound is a bound, not a guess far above every real event.
        Assert.Equal(repeat <= 1_000, quick <= NovuLimits.MaxEventBytes);
    }

    private static ResolvedWorkflow Workflow(string body, string? subject = null, IReadOnlyList<string>? novuPayload = null) =>
        new("wf", IsStatic: false, Published: true, Deactivated: false, Version: 1,
            [new ChannelTemplate(NotificationChannel.Email, new TemplateDefinition(Enterprise, "tpl", NotificationChannel.Email, subject, body, DateTimeOffset.UnixEpoch))],
            novuPayload);
}
