using System.Text.Json.Nodes;
using XNovu.Core.Definitions;
using XNovu.Core.Novu;
using XNovu.Core.Templates;
using XNovu.Tests.Unit.Templates;

namespace XNovu.Tests.Unit.Novu;

/// <summary>Issue 30: the layout's sender name in Novu's overrides, and the size bound over locale variants and layouts.</summary>
public sealed class LocalizedEventTests
{
    [Fact]
    public void The_sender_name_goes_to_overrides_email_senderName_beside_the_callers_other_overrides()
    {
        var overrides = JsonNode.Parse(NovuEvents.WithSenderName("""{"email":{"replyTo":"r@example.test"},"sms":{}}""", "Acme")!)!;

        Assert.Equal("Acme", (string)overrides["email"]!["senderName"]!);
        Assert.Equal("r@example.test", (string)overrides["email"]!["replyTo"]!);
        Assert.NotNull(overrides["sms"]);
        Assert.Equal("Acme", (string)JsonNode.Parse(NovuEvents.WithSenderName(null, "Acme")!)!["email"]!["senderName"]!);
    }

    [Theory]
    [InlineData("""{"email":{"senderName":"Caller"}}""")]
    [InlineData("""{"email":"not an object"}""")]
    [InlineData(null)]
    public void A_callers_own_sender_name_or_an_override_Novu_would_not_read_is_left_as_it_is(string? overrides)
    {
        var sender = overrides is null ? null : "Acme";
        Assert.Equal(overrides, NovuEvents.WithSenderName(overrides, sender));
    }

    [Fact]
    public void A_locale_variant_that_repeats_text_leaves_the_workflow_without_a_bound_so_it_is_rendered_and_measured()
    {
        var template = new TemplateDefinition(TemplateTesting.Acme, "tpl", NotificationChannel.Email, "Hi", "{{ payload.body }}", DateTimeOffset.UnixEpoch)
        {
            Locales = new Dictionary<string, LocaleVariant> { ["fr"] = new(null, "{% for i in (1..100) %}{{ payload.body }}{% endfor %}") },
        };

        Assert.Null(NovuEventBound.Of(Workflow(template), new EventInputs(10, 10, 10, 0)));
        Assert.NotNull(NovuEventBound.Of(Workflow(template with { Locales = new Dictionary<string, LocaleVariant>() }), new EventInputs(10, 10, 10, 0)));
    }

    [Fact]
    public void The_bound_grows_with_the_largest_variant_and_the_layout()
    {
        var plain = new TemplateDefinition(TemplateTesting.Acme, "tpl", NotificationChannel.Email, "Hi", "{{ payload.body }}", DateTimeOffset.UnixEpoch);
        var inputs = new EventInputs(1000, 10, 10, 0);
        var variant = plain with { Locales = new Dictionary<string, LocaleVariant> { ["fr"] = new(null, "{{ payload.body }}{{ payload.body }}{{ payload.body }}") } };
        var laidOut = plain with { Layout = new EmailLayout("brand", 1, "<h1>{{ payload.body }}</h1>", "footer", null, null, null, "Acme") };

        Assert.True(NovuEventBound.Of(Workflow(variant), inputs) > NovuEventBound.Of(Workflow(plain), inputs));
        Assert.True(NovuEventBound.Of(Workflow(laidOut), inputs) > NovuEventBound.Of(Workflow(plain), inputs));
    }

    private static ResolvedWorkflow Workflow(TemplateDefinition template) =>
        new("wf", IsStatic: false, Published: true, Deactivated: false, Version: 1, [new ChannelTemplate(NotificationChannel.Email, template)]);
}
