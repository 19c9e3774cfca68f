using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Templates;

public sealed class SubscriberTimeTests
{
    private readonly LiquidTemplateEngine _engine = Engine();

    [Fact]
    public async Task Local_date_converts_into_the_subscribers_time_zone_and_formats_in_its_locale()
    {
        var result = await RenderAsync("Europe/Paris", "fr-FR");

        Assert.Equal("lundi 30 novembre 2026 15:30", result);
    }

    [Fact]
    public async Task Local_date_without_a_time_zone_or_locale_is_utc_and_invariant()
    {
        var result = await RenderAsync(null, null);

        Assert.Equal("Monday 30 November 2026 14:30", result);
    }

    private async Task<string> RenderAsync(string? timezone, string? locale)
    {
        var request = new RenderRequest(
            Acme,
            NotificationChannel.Sms,
            null,
            "{{ payload.at | local_date: \"dddd d MMMM yyyy HH:mm\" }}",
            JsonOf("""{"at": "2026-11-30T14:30:00Z"}"""),
            new SubscriberVariables("sub-1", Locale: locale) { Timezone = timezone },
            new EnterpriseVariables(Acme, "Acme"));
        return (await _engine.RenderAsync(request)).Body;
    }
}
