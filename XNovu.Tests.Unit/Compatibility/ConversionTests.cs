extern alias cli;

using cli::XNovu.Cli.Import;

namespace XNovu.Tests.Unit.Compatibility;

public sealed class ConversionTests
{
    private static readonly Dictionary<long, string> TemplateKeys = new() { [12] = "order-email", [13] = "order-in-app" };

    [Theory]
    [InlineData("emailTemplateId", "EMAIL")]
    [InlineData("inAppTemplateId", "IN_APP")]
    [InlineData("in_app_template_id", "IN_APP")]
    [InlineData("SMS", "SMS")]
    [InlineData("pushTemplate", "PUSH")]
    [InlineData("chat", "CHAT")]
    [InlineData("faxTemplateId", null)]
    public void Override_names_map_to_channels(string name, string? channel) => Assert.Equal(channel, Conversion.ChannelOf(name));

    [Fact]
    public void Template_overrides_by_id_become_keys_per_channel()
    {
        var unconverted = new List<string>();

        var overrides = Conversion.TemplateOverrides(
            """{"emailTemplateId": 12, "inAppTemplateId": "13", "SMS": "sms-key"}""", TemplateKeys, unconverted);

        Assert.Equal(new Dictionary<string, string> { ["EMAIL"] = "order-email", ["IN_APP"] = "order-in-app", ["SMS"] = "sms-key" }, overrides);
        Assert.Empty(unconverted);
    }

    [Fact]
    public void Overrides_naming_unknown_templates_or_channels_are_reported()
    {
        var unconverted = new List<string>();

        var overrides = Conversion.TemplateOverrides("""{"emailTemplateId": 99, "faxTemplateId": 12, "pushTemplateId": {"id": 1}}""", TemplateKeys, unconverted);

        Assert.Empty(overrides);
        Assert.Equal(3, unconverted.Count);
        Assert.Contains(unconverted, u => u.Contains("template id 99", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("PUBLISH", false, "Published")]
    [InlineData("DRAFT", false, "Draft")]
    [InlineData("REVIEW", false, "Draft")]
    [InlineData("PUBLISH", true, "Deactivated")]
    [InlineData("DELETED", false, null)]
    [InlineData("DISCARD", false, null)]
    public void Publish_states_map_onto_ours(string status, bool deactivated, string? expected) =>
        Assert.Equal(expected, Conversion.StateOf(status, deactivated)?.ToString());
}
