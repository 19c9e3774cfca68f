using System.Text.Json;
using XNovu.Core.Localization;
using XNovu.Core.Templates;
using XNovu.Dispatcher.Dispatch;

namespace XNovu.Tests.Unit.Dispatch;

/// <summary>Issue 30: a delivery sent again renders with the versions and locale of its first render.</summary>
public sealed class PartRenderingTests
{
    private static readonly Guid Enterprise = Guid.NewGuid();

    private static TemplateDefinition Version(int version, string subject) =>
        new(Enterprise, "welcome", NotificationChannel.Email, subject, "Body", DateTimeOffset.UnixEpoch)
        {
            Version = version,
            Locales = new Dictionary<string, LocaleVariant> { ["fr"] = new($"FR {subject}", "Corps") },
        };

    private static readonly Dictionary<(string, int), EmailLayout> NoLayouts = [];

    private static readonly EnterpriseLocalization English = new("en", new Dictionary<string, JsonElement>());

    [Fact]
    public void A_delivery_first_rendered_with_version_1_renders_it_again_while_version_2_is_live()
    {
        var part = new PartRendering(
            new Dictionary<long, DeliveryRendering> { [7] = new("en", 1, new Dictionary<string, int> { ["welcome"] = 1 }) },
            new Dictionary<(string, int), TemplateDefinition> { [("welcome", 1)] = Version(1, "v1") },
            NoLayouts,
            English);

        Assert.Equal("v1", part.Choose(7, Version(2, "v2"), null).Template.SubjectTemplate);
        Assert.Equal("v2", part.Choose(8, Version(2, "v2"), null).Template.SubjectTemplate);
    }

    [Fact]
    public void A_delivery_keeps_the_locale_of_its_first_render_even_if_the_subscriber_changed_theirs()
    {
        var part = new PartRendering(
            new Dictionary<long, DeliveryRendering> { [7] = new("en", 2, new Dictionary<string, int>()) },
            new Dictionary<(string, int), TemplateDefinition>(),
            NoLayouts,
            English);

        var (template, locale, _) = part.Choose(7, Version(2, "v2"), "fr-BE");

        Assert.Equal(("v2", "en"), (template.SubjectTemplate, locale));
        Assert.Equal(("FR v2", "fr"), (part.Choose(8, Version(2, "v2"), "fr-BE").Template.SubjectTemplate, part.Choose(8, Version(2, "v2"), "fr-BE").Locale));
    }

    [Fact]
    public void A_delivery_keeps_its_channels_template_when_the_workflow_names_another_since()
    {
        var part = new PartRendering(
            new Dictionary<long, DeliveryRendering> { [7] = new("en", 1, new Dictionary<string, int> { ["welcome"] = 1 }) },
            new Dictionary<(string, int), TemplateDefinition> { [("welcome", 1)] = Version(1, "v1") },
            NoLayouts,
            English);
        var other = Version(4, "other") with { TemplateKey = "rolled-back-to" };

        Assert.Equal("v1", part.Choose(7, other, null).Template.SubjectTemplate);
        Assert.Equal("other", part.Choose(8, other, null).Template.SubjectTemplate);
        Assert.Equal("other", part.Choose(7, other with { Channel = NotificationChannel.Sms }, null).Template.SubjectTemplate);
    }

    [Fact]
    public void A_delivery_is_wrapped_in_the_layout_version_of_its_first_render()
    {
        var first = new EmailLayout("brand", 1, "<h1>one</h1>", string.Empty, null, null, null, "One");
        var live = Version(2, "v2") with { Layout = first with { Version = 2, Header = "<h1>two</h1>", SenderName = "Two" } };
        var part = new PartRendering(
            new Dictionary<long, DeliveryRendering> { [7] = new("en", 1, new Dictionary<string, int>(), new Dictionary<string, int> { ["brand"] = 1 }) },
            new Dictionary<(string, int), TemplateDefinition>(),
            new Dictionary<(string, int), EmailLayout> { [("brand", 1)] = first },
            English);

        Assert.Contains("<h1>one</h1>", part.Choose(7, live, null).Template.BodyTemplate, StringComparison.Ordinal);
        Assert.Equal("One", part.Choose(7, live, null).Template.Layout!.SenderName);
        Assert.Contains("<h1>two</h1>", part.Choose(8, live, null).Template.BodyTemplate, StringComparison.Ordinal);
    }
}
