using System.Text.Json;
using XNovu.Core.Localization;
using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Localization;

public sealed class TranslationTests
{
    private static readonly JsonElement French = JsonOf(
        """
        {
          "welcome": {"title": "Bienvenue, {{ name }} !", "signed": "Bonjour {{ subscriber.firstName }}"},
          "cart": {"items": {"one": "{{ count }} article", "other": "{{ count }} articles"}},
          "flat.key": "clé plate"
        }
        """);

    private static readonly JsonElement English = JsonOf(
        """
        {"welcome": {"title": "Welcome, {{ name }}!", "footer": "Sent by Acme"}, "cart": {"items": {"one": "one item", "other": "{{ count }} items", "zero": "no items"}}}
        """);

    private readonly LiquidTemplateEngine _engine = Engine();

    private async Task<string> RenderAsync(string body, Translations translations, string? payload = null) =>
        (await _engine.RenderAsync(Request(body, NotificationChannel.Sms, payload,
            subscriber: new SubscriberVariables("s1", FirstName: "Léa")) with { Translations = translations })).Body;

    private static Translations Chain(params (string Locale, JsonElement Entries)[] catalogs) => new(catalogs);

    [Fact]
    public async Task Nested_keys_take_variables_passed_as_pairs_and_template_variables()
    {
        var body = await RenderAsync("{{ 'welcome.title' | t: 'name', payload.name }} / {{ 'welcome.signed' | t }}", Chain(("fr", French)), """{"name":"Ann"}""");

        Assert.Equal("Bienvenue, Ann ! / Bonjour Léa", body);
    }

    [Theory]
    [InlineData(1, "1 article")]
    [InlineData(0, "0 article")]
    [InlineData(2, "2 articles")]
    public async Task The_count_chooses_the_plural_form_by_the_catalog_locale_rule(int count, string expected) =>
        Assert.Equal(expected, await RenderAsync($"{{{{ 'cart.items' | t: {count} }}}}", Chain(("fr", French))));

    [Theory]
    [InlineData(0, "no items")]
    [InlineData(1, "one item")]
    [InlineData(7, "7 items")]
    public async Task An_explicit_zero_form_is_used_for_zero(int count, string expected) =>
        Assert.Equal(expected, await RenderAsync("{{ 'cart.items' | t: payload.n }}", Chain(("en", English)), $$"""{"n":{{count}}}"""));

    [Fact]
    public async Task A_key_missing_from_the_first_catalog_is_taken_from_the_next_in_the_chain() =>
        Assert.Equal("Sent by Acme", await RenderAsync("{{ 'welcome.footer' | t }}", Chain(("fr", French), ("en", English))));

    [Fact]
    public async Task A_key_with_a_dot_in_its_name_is_found_before_nesting() =>
        Assert.Equal("clé plate", await RenderAsync("{{ 'flat.key' | t }}", Chain(("fr", French))));

    [Fact]
    public async Task A_missing_key_fails_the_render_instead_of_printing_the_raw_key()
    {
        var error = await Assert.ThrowsAsync<TemplateRenderException>(() => RenderAsync("{{ 'nope.nothing' | t }}", Chain(("fr", French), ("en", English))));

        Assert.Contains("'nope.nothing' is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalog_text_is_encoded_in_an_html_body_like_any_value()
    {
        var hostile = Chain(("en", JsonOf("""{"x": "<script>alert(1)</script>{{ name }}"}""")));

        var body = (await _engine.RenderAsync(Request("<p>{{ 'x' | t: 'name', '<b>' }}</p>") with { Translations = hostile })).Body;

        Assert.DoesNotContain("<script>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostile_catalog_text_is_held_to_the_render_output_budget()
    {
        // 100 KB of placeholders, each replaced by a 100 KB payload value: 10 GB if nothing stopped it.
        var hostile = Chain(("en", JsonOf(JsonSerializer.Serialize(new { x = string.Concat(Enumerable.Repeat("{{ payload.big }}", 6_000)) }))));
        var payload = JsonSerializer.Serialize(new { big = new string('a', 100_000) });

        var error = await Assert.ThrowsAsync<TemplateRenderException>(() => RenderAsync("{{ 'x' | t }}", hostile, payload));

        Assert.Equal(TemplateErrorKind.Budget, error.Kind);
    }

    [Fact]
    public void The_publish_check_lists_per_claimed_locale_the_keys_its_catalogs_lack()
    {
        var variants = new Dictionary<string, LocaleVariant> { ["fr"] = new("{{ 'welcome.title' | t }}", "{{ 'cart.items' | t: 2 }} {{ \"fr.only\" | t }}") };
        var catalogs = new Dictionary<string, JsonElement> { ["fr"] = French, ["en"] = English };

        var missing = TranslationCheck.Missing("{{ 'welcome.title' | t }}", "{{ 'welcome.footer' | t }} {{ 'en.only' | t }}", variants, "en", catalogs);

        Assert.Equal(["en", "fr"], missing.Keys);
        Assert.Equal(["en.only"], missing["en"]);
        Assert.Equal(["fr.only"], missing["fr"]);
    }

    [Fact]
    public void The_publish_check_passes_when_every_claimed_locale_finds_its_keys_along_its_chain()
    {
        var variants = new Dictionary<string, LocaleVariant> { ["fr-BE"] = new(null, "{{ 'welcome.footer' | t }}") };
        var catalogs = new Dictionary<string, JsonElement> { ["fr"] = French, ["en"] = English };

        Assert.Empty(TranslationCheck.Missing("Hi", "{{ 'cart.items' | t: 1 }}", variants, "en", catalogs));
    }

    [Fact]
    public void Text_that_uses_t_with_no_default_locale_and_no_variant_cannot_be_published() =>
        Assert.Equal(["default"], TranslationCheck.Missing(null, "{{ 'welcome.title' | t }}", new Dictionary<string, LocaleVariant>(), null, new Dictionary<string, JsonElement>()).Keys);

    [Fact]
    public void A_preview_lists_the_keys_no_catalog_along_its_chain_has_and_none_when_a_parent_or_the_default_has_them()
    {
        var catalogs = new Dictionary<string, JsonElement> { ["fr"] = French, ["en"] = English };
        const string Body = "{{ 'welcome.footer' | t }} {{ 'fr.only' | t }} {{ 'en.only' | t }}";

        Assert.Equal(["en.only", "fr.only"], TranslationCheck.MissingAlong("{{ 'welcome.title' | t }}", Body, Locales.Chain("fr-BE", "en"), catalogs));
        Assert.Empty(TranslationCheck.MissingAlong(null, "{{ 'cart.items' | t: 2 }}", Locales.Chain("de", "en"), catalogs));
        Assert.Equal(["welcome.title"], TranslationCheck.MissingAlong(null, "{{ 'welcome.title' | t }}", Locales.Chain("de", null), catalogs));
    }

    [Fact]
    public async Task A_preview_shows_a_missing_key_as_a_placeholder_where_a_send_fails()
    {
        var translations = Chain(("fr", French));

        await Assert.ThrowsAsync<TemplateRenderException>(() => RenderAsync("{{ 'fr.note' | t }}", translations));
        Assert.Equal("Bienvenue, Ann ! [missing: fr.note]",
            await RenderAsync("{{ 'welcome.title' | t: 'name', payload.name }} {{ 'fr.note' | t }}", translations.WithPlaceholders(["fr.note"]), """{"name":"Ann"}"""));
    }
}
