using XNovu.Core.Localization;
using XNovu.Core.Templates;

namespace XNovu.Tests.Unit.Localization;

public sealed class LocaleTests
{
    [Theory]
    [InlineData("fr_be", "fr-BE")]
    [InlineData("FR-be", "fr-BE")]
    [InlineData("fr", "fr")]
    [InlineData("zh_hant_tw", "zh-Hant-TW")]
    [InlineData("es-419", "es-419")]
    public void Both_separators_are_accepted_and_a_locale_is_kept_in_one_form(string given, string expected) =>
        Assert.Equal(expected, Locales.Normalize(given));

    [Theory]
    [InlineData("")]
    [InlineData("f")]
    [InlineData("french")]
    [InlineData("fr--BE")]
    [InlineData("fr-BE<script>")]
    public void Anything_else_is_no_locale(string given) => Assert.Null(Locales.Normalize(given));

    [Fact]
    public void The_chain_goes_from_the_subscriber_locale_to_its_language_then_to_the_enterprise_default() =>
        Assert.Equal(["fr-BE", "fr", "en-GB", "en"], Locales.Chain("fr_BE", "en-GB"));

    [Fact]
    public void A_subscriber_without_locale_starts_at_the_default() =>
        Assert.Equal(["en"], Locales.Chain(null, "en"));

    private static readonly TemplateDefinition Welcome = new(
        Guid.NewGuid(), "welcome", NotificationChannel.Email, "Welcome", "Hello", DateTimeOffset.UnixEpoch)
    {
        Locales = new Dictionary<string, LocaleVariant> { ["fr"] = new("Bienvenue", "Bonjour"), ["de-AT"] = new(null, "Servus") },
    };

    [Fact]
    public void A_fr_BE_subscriber_gets_the_fr_variant()
    {
        var (template, locale) = LocaleVariants.Choose(Welcome, Locales.Chain("fr-BE", "en"), new HashSet<string>(), "en");

        Assert.Equal(("Bienvenue", "Bonjour", "fr"), (template.SubjectTemplate, template.BodyTemplate, locale));
    }

    [Fact]
    public void A_de_subscriber_gets_the_template_own_text_in_the_enterprise_default_locale()
    {
        var (template, locale) = LocaleVariants.Choose(Welcome, Locales.Chain("de", "en"), new HashSet<string>(), "en");

        Assert.Equal(("Welcome", "Hello", "en"), (template.SubjectTemplate, template.BodyTemplate, locale));
    }

    [Fact]
    public void A_variant_without_subject_keeps_the_template_subject()
    {
        var (template, locale) = LocaleVariants.Choose(Welcome, Locales.Chain("de_AT", null), new HashSet<string>(), null);

        Assert.Equal(("Welcome", "Servus", "de-AT"), (template.SubjectTemplate, template.BodyTemplate, locale));
    }

    [Fact]
    public void Own_text_is_in_the_first_locale_of_the_chain_with_a_catalog()
    {
        var (_, locale) = LocaleVariants.Choose(Welcome, Locales.Chain("nl-BE", "en"), new HashSet<string> { "nl", "en" }, "en");

        Assert.Equal("nl", locale);
    }

    [Fact]
    public void Stored_variants_under_any_separator_are_read_under_the_canonical_name()
    {
        var variants = LocaleVariants.Parse("""{"fr_be": {"body": "Salut"}, "xx-not-a-locale": {"body": "?"}, "de": {"subject": "no body"}}""");

        Assert.Equal(["fr-BE"], variants.Keys);
    }
}
