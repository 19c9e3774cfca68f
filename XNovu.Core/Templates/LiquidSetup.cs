using System.Collections;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using DotLiquid;

namespace XNovu.Core.Templates;

/// <summary>
/// DotLiquid's tags, filters and value transformers live in static, unsynchronised dictionaries. This class
/// fills them exactly once (the runtime runs a static constructor once, under a lock) before any template
/// is parsed or rendered, and holds the switch that turns HTML output encoding on for one render.
/// </summary>
/// <remarks>
/// <para>
/// Escaping design. In an email or in-app body every value a <c>{{ ... }}</c> outputs is HTML-encoded, after
/// its filters ran, unless the last filter vouched for it by returning <see cref="SafeHtml"/>. The hook is
/// DotLiquid's value type transformer, which <c>Variable.Render</c> applies to the final value of every output
/// and nowhere else (not to conditions, not to filter arguments). So <c>{{ payload.x | upcase }}</c>,
/// <c>{% assign y = payload.x %}{{ y }}</c> and loop variables are all encoded, and templates compare and
/// transform raw values. Wrapping payload strings in an encoding type instead would be undone by the first
/// filter that returns a new string.
/// </para>
/// <para>
/// The transformers are global, so they consult <see cref="HtmlOutput"/>, a thread-static flag the engine sets
/// only around its own synchronous render calls: outside them (subjects, SMS, anyone else's DotLiquid use)
/// they change nothing. Two tags write values without going through a variable: <c>cycle</c>, replaced by an
/// encoding subclass, and <c>capture</c>, whose captured text (already encoded) is kept as
/// <see cref="SafeHtml"/> so that outputting it does not encode it twice.
/// </para>
/// </remarks>
internal static class LiquidSetup
{
    public const string RenderTagName = "xnovu_render";

    private static readonly Func<object, object> EncodeString = EncodeStringOutput;
    private static readonly Func<object, object> EncodeSequence = EncodeSequenceOutput;
    private static readonly Func<object, object> EncodeScalar = EncodeScalarOutput;

    static LiquidSetup()
    {
        // Liquid's static constructor registers the standard tags and filters. It must run before ours,
        // or, running later, it would put the stock capture and cycle back over the encoding ones.
        RuntimeHelpers.RunClassConstructor(typeof(Liquid).TypeHandle);

        Template.RegisterTag<XNovuRenderTag>(RenderTagName);
        Template.RegisterTag<EncodingCaptureTag>("capture");
        Template.RegisterTag<EncodingCycleTag>("cycle");

        // Registered after StandardFilters, so ours replace the stock default, strip_html and escape, and
        // the budgeted ones the stock filters that can grow a value.
        Template.RegisterFilter(typeof(BudgetedFilters));
        Template.RegisterFilter(typeof(XNovuFilters));
        Template.RegisterFilter(typeof(SubscriberTimeFilters));
        Template.RegisterFilter(typeof(TranslationFilters));

        Template.RegisterValueTypeTransformer(typeof(string), EncodeString);
        Template.RegisterValueTypeTransformer(typeof(IEnumerable), EncodeSequence);
        Template.RegisterValueTypeTransformer(typeof(SafeHtml), value => ((SafeHtml)value).Html);

        // Every other value is encoded too: a char (a loop over a string, "| first") is as able to open a tag
        // as a string. DotLiquid looks a type's interfaces up when no transformer names the type itself.
        Template.RegisterValueTypeTransformer(typeof(char), EncodeScalar);
        Template.RegisterValueTypeTransformer(typeof(IConvertible), EncodeScalar);
        Template.RegisterValueTypeTransformer(typeof(IFormattable), EncodeScalar);

        // Without this, DotLiquid refuses a SafeHtml stored by assign or capture as "neither a built-in type nor
        // ILiquidizable"; and an ILiquidizable would render as nothing.
        Template.RegisterSafeType(typeof(SafeHtml), value => value);

        KnownFilters = CollectFilterNames();
    }

    /// <summary>Every filter name a template may use, for validation.</summary>
    public static IReadOnlySet<string> KnownFilters { get; }

    /// <summary>Runs the static constructor; cheap after the first call.</summary>
    public static void EnsureRegistered()
    {
    }

    /// <summary>
    /// Fails closed if other code in the process replaced the encoding transformers: an HTML body must not
    /// silently lose its escaping.
    /// </summary>
    public static void AssertEncodingInstalled()
    {
        if (!ReferenceEquals(Template.GetValueTypeTransformer(typeof(string)), EncodeString)
            || !ReferenceEquals(Template.GetValueTypeTransformer(typeof(List<object>)), EncodeSequence)
            || !ReferenceEquals(Template.GetValueTypeTransformer(typeof(char)), EncodeScalar))
        {
            throw new InvalidOperationException(
                "DotLiquid's string output transformer was replaced by other code; HTML bodies would not be escaped.");
        }
    }

    private static object EncodeStringOutput(object value) =>
        HtmlOutput.IsEncoding ? WebUtility.HtmlEncode((string)value) : value;

    private static object EncodeScalarOutput(object value) =>
        HtmlOutput.IsEncoding ? WebUtility.HtmlEncode(Format(value)) : value;

    // Variable.Render joins a list's items itself, after the transformer ran, so the items are encoded here.
    private static object EncodeSequenceOutput(object value)
    {
        if (!HtmlOutput.IsEncoding)
        {
            return value;
        }

        var joined = new System.Text.StringBuilder();
        foreach (var item in (IEnumerable)value)
        {
            joined.Append(item is SafeHtml safe ? safe.Html : WebUtility.HtmlEncode(item is null ? string.Empty : Format(item)));
        }

        return joined.ToString();
    }

    /// <summary>A value as <c>Variable.Render</c> would write it (decimals without trailing zeros, booleans in lower case).</summary>
    private static string Format(object value) => value switch
    {
        string text => text,
        bool flag => flag ? "true" : "false",
        decimal number => number.ToString("0.#############################", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static HashSet<string> CollectFilterNames()
    {
        var context = new Context(CultureInfo.InvariantCulture);
        return context.Strainer.Methods
            .Select(method => Template.NamingConvention.GetMemberName(method.Name))
            .ToHashSet(StringComparer.Ordinal);
    }
}

/// <summary>Whether values output on this thread are HTML-encoded; see <see cref="LiquidSetup"/>.</summary>
internal static class HtmlOutput
{
    [ThreadStatic]
    private static bool _encoding;

    public static bool IsEncoding => _encoding;

    /// <summary>Sets the mode for a synchronous render and restores the previous one when disposed.</summary>
    public static Scope Begin(bool encode)
    {
        var previous = _encoding;
        _encoding = encode;
        return new Scope(previous);
    }

    public readonly struct Scope(bool previous) : IDisposable
    {
        public void Dispose() => _encoding = previous;
    }
}
