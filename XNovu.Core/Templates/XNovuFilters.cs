using System.Collections;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace XNovu.Core.Templates;

/// <summary>
/// The filters templates use beside DotLiquid's standard ones. DotLiquid names a filter after its method
/// in snake case (<c>HtmlToText</c> is <c>html_to_text</c>). Inputs are taken as objects, so a missing
/// variable (null) or a number is as welcome as a string.
/// </summary>
internal static partial class XNovuFilters
{
    /// <summary>Longest SMS body <c>sanitize_sms</c> lets through by default: ten concatenated segments.</summary>
    public const int DefaultSmsLength = 1600;

    public static string HtmlToText(object? input) => HtmlText.ToText(Measured(input));

    /// <summary>Replaces DotLiquid's: it also drops script and style content and decodes entities.</summary>
    public static string StripHtml(object? input) => HtmlText.Strip(Measured(input));

    public static SafeHtml MarkdownToHtml(object? input) => Checked(MarkdownRenderer.ToHtml(Measured(input)));

    public static SafeHtml SanitizeEmail(object? input) => Checked(HtmlSanitizer.ForEmail(Measured(input)));

    public static SafeHtml SanitizeInapp(object? input) => Checked(HtmlSanitizer.ForInApp(Measured(input)));

    public static string SanitizeSms(object? input, int maxLength = DefaultSmsLength) => SmsText.Sanitize(Text(input), maxLength);

    /// <summary>
    /// <c>href="{{ payload.link | url }}"</c>: the URL as it is when it is relative or http, https, mailto or
    /// tel, and <c>#</c> otherwise (<c>javascript:</c>, <c>data:</c>, <c>vbscript:</c>...). Output encoding
    /// still applies, so the value cannot leave the attribute either.
    /// </summary>
    public static string Url(object? input) => UrlSafety.Filter(Text(input).Trim(), UrlSafety.LinkSchemes);

    public static string ExtractSubject(object? input) => HtmlText.ExtractSubject(Text(input));

    public static string Json(object? input)
    {
        var json = LiquidJson.Serialize(input);
        RenderBudget.Ensure(json.Length);
        return json;
    }

    /// <summary>
    /// The opt-in to raw markup in an email or in-app body: <c>{{ payload.banner | html_safe }}</c>. Only for
    /// HTML the template's author trusts; for anything else use <c>sanitize_email</c> or <c>sanitize_inapp</c>.
    /// </summary>
    public static SafeHtml HtmlSafe(object? input) => input as SafeHtml ?? new SafeHtml(Text(input));

    /// <summary>
    /// Liquid's <c>default</c>: the fallback when the input is nil, false or empty (an empty string, list or
    /// hash). DotLiquid's own returns the fallback for whitespace too, but not for false, and turns
    /// everything into a string.
    /// </summary>
    public static object? Default(object? input, object? fallback) => input switch
    {
        null or false => fallback,
        string text when text.Length == 0 => fallback,
        SafeHtml safe when safe.Html.Length == 0 => fallback,
        ICollection collection when collection.Count == 0 => fallback,
        _ => input,
    };

    // Replacing DotLiquid's escape filters with ones that return SafeHtml keeps {{ x | escape }}, common in
    // templates written before bodies were escaped by default, from being encoded twice.
    public static SafeHtml Escape(object? input) => Checked(WebUtility.HtmlEncode(Text(input)));

    public static SafeHtml H(object? input) => Escape(input);

    public static SafeHtml EscapeOnce(object? input) => Checked(WebUtility.HtmlEncode(WebUtility.HtmlDecode(Text(input))));

    /// <summary>
    /// In an HTML body the text is encoded before the breaks go in, and the result is markup; DotLiquid's
    /// would have its &lt;br /&gt; encoded by the output escaping. Elsewhere it behaves as DotLiquid's.
    /// </summary>
    public static object NewlineToBr(object? input)
    {
        var text = Text(input);
        if (!HtmlOutput.IsEncoding)
        {
            return Checked(LineEnd().Replace(text, "<br />$1")).Html;
        }

        var encoded = input is SafeHtml safe ? safe.Html : WebUtility.HtmlEncode(text);
        return Checked(LineEnd().Replace(encoded, "<br />$1"));
    }

    internal static string Text(object? input) => input switch
    {
        null => string.Empty,
        string text => text,
        SafeHtml safe => safe.Html,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => input.ToString() ?? string.Empty,
    };

    /// <summary>The input as text, once the render's time and size budget allows a filter to go through it.</summary>
    private static string Measured(object? input)
    {
        var text = Text(input);
        RenderBudget.Ensure(text.Length);
        return text;
    }

    private static SafeHtml Checked(string html)
    {
        RenderBudget.Ensure(html.Length);
        return new SafeHtml(html);
    }

    [GeneratedRegex(@"(\r?\n)", RegexOptions.CultureInvariant)]
    private static partial Regex LineEnd();
}

/// <summary>Serialises the values templates see (Hash, lists, strings, numbers) back to JSON.</summary>
internal static class LiquidJson
{
    private const int MaxDepth = 64;

    public static string Serialize(object? value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value, 0);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidOperationException("json: the value nests too deeply.");
        }

        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case SafeHtml safe:
                writer.WriteStringValue(safe.Html);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int number:
                writer.WriteNumberValue(number);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case double number when double.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case float number when float.IsFinite(number):
                writer.WriteNumberValue(number);
                break;
            case DateTime moment:
                writer.WriteStringValue(moment);
                break;
            case DateTimeOffset moment:
                writer.WriteStringValue(moment);
                break;
            case Guid id:
                writer.WriteStringValue(id);
                break;
            case IDictionary<string, object> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    Write(writer, item, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    Write(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            case IFormattable formattable:
                writer.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(value.ToString());
                break;
        }
    }
}
