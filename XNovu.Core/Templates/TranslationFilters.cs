using System.Globalization;
using DotLiquid;
using XNovu.Core.Localization;

namespace XNovu.Core.Templates;

/// <summary>
/// <c>{{ 'welcome.title' | t }}</c>, <c>{{ 'cart.items' | t: payload.count }}</c>,
/// <c>{{ 'greeting' | t: 'name', subscriber.firstName }}</c>, <c>{{ 'cart.items' | t: n, 'shop', payload.shop }}</c>:
/// a number as the first argument is the count that picks the plural form; the rest are name/value pairs for the
/// text's placeholders. The catalogs are the render's (<see cref="Translations"/>), in its locale chain's order.
/// </summary>
internal static class TranslationFilters
{
    public static string T(
        Context context, object? input, object? a = null, object? b = null, object? c = null, object? d = null, object? e = null,
        object? f = null, object? g = null)
    {
        var key = Convert.ToString(input, CultureInfo.InvariantCulture);
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new TemplateRenderException(TemplateErrorKind.Runtime, "The t filter needs a translation key.");
        }

        var rest = new List<object?> { a, b, c, d, e, f, g };
        while (rest.Count > 0 && rest[^1] is null)
        {
            rest.RemoveAt(rest.Count - 1);
        }

        decimal? count = null;
        if (rest.Count % 2 == 1)
        {
            count = rest[0] switch
            {
                null => null,
                IConvertible number when decimal.TryParse(Convert.ToString(number, CultureInfo.InvariantCulture), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => throw new TemplateRenderException(TemplateErrorKind.Runtime, $"The count given to t for '{key}' is not a number."),
            };
            rest.RemoveAt(0);
        }

        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < rest.Count; i += 2)
        {
            arguments[Convert.ToString(rest[i], CultureInfo.InvariantCulture) ?? string.Empty] = rest[i + 1];
        }

        var translations = context.Registers[Translations.RegisterName] as Translations ?? new Translations([]);
        return translations.Translate(key, count, arguments, name => context[name]);
    }
}
