using XNovu.Core.Localization;

namespace XNovu.Tests.Unit.Localization;

public sealed class PluralRuleTests
{
    [Theory]
    [InlineData("en", 0, "other")]
    [InlineData("en", 1, "one")]
    [InlineData("en", 2, "other")]
    [InlineData("en-GB", 1.5, "other")]
    [InlineData("de", 1, "one")]
    [InlineData("fr", 0, "one")]
    [InlineData("fr-BE", 1, "one")]
    [InlineData("fr", 1.5, "one")]
    [InlineData("fr", 2, "other")]
    [InlineData("ru", 1, "one")]
    [InlineData("ru", 2, "few")]
    [InlineData("ru", 5, "many")]
    [InlineData("ru", 11, "many")]
    [InlineData("ru", 21, "one")]
    [InlineData("ru", 22, "few")]
    [InlineData("ru", 112, "many")]
    [InlineData("pl", 1, "one")]
    [InlineData("pl", 22, "few")]
    [InlineData("pl", 12, "many")]
    [InlineData("pl", 21, "many")]
    [InlineData("cs", 3, "few")]
    [InlineData("cs", 5, "other")]
    [InlineData("ar", 0, "zero")]
    [InlineData("ar", 2, "two")]
    [InlineData("ar", 3, "few")]
    [InlineData("ar", 11, "many")]
    [InlineData("ar", 100, "other")]
    [InlineData("he", 2, "two")]
    [InlineData("ja", 1, "other")]
    [InlineData("zh-Hant-TW", 1, "other")]
    [InlineData(null, 1, "one")]
    public void A_count_falls_in_its_language_CLDR_category(string? locale, double count, string category) =>
        Assert.Equal(category, PluralRules.Category(locale, (decimal)count));
}
