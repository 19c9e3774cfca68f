namespace XNovu.Core.Templates;

/// <summary>
/// Markup that may reach an HTML body as it is. Only the filters that vouch for their output make it
/// (<c>html_safe</c>, <c>markdown_to_html</c>, <c>sanitize_email</c>, <c>sanitize_inapp</c>, <c>escape</c>,
/// <c>newline_to_br</c> in an HTML body),
/// plus <c>capture</c> in an HTML body, whose text was escaped while it was captured. Anything else a
/// variable outputs into an email or in-app body is HTML-encoded (see <see cref="LiquidSetup"/>).
/// </summary>
/// <remarks>
/// It is <see cref="IConvertible"/> only so that DotLiquid can hand it to filters that take strings: a value
/// passed through another filter comes out a plain string again and is encoded like any other.
/// </remarks>
internal sealed class SafeHtml(string html) : IConvertible
{
    public string Html { get; } = html;

    public override string ToString() => Html;

    public override bool Equals(object? obj) =>
        obj is SafeHtml other ? string.Equals(Html, other.Html, StringComparison.Ordinal)
        : obj is string text && string.Equals(Html, text, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Html);

    public TypeCode GetTypeCode() => TypeCode.Object;

    public string ToString(IFormatProvider? provider) => Html;

    public object ToType(Type conversionType, IFormatProvider? provider) =>
        conversionType == typeof(string) || conversionType == typeof(object) ? Html : Convert.ChangeType(Html, conversionType, provider);

    public bool ToBoolean(IFormatProvider? provider) => Convert.ToBoolean(Html, provider);

    public byte ToByte(IFormatProvider? provider) => Convert.ToByte(Html, provider);

    public char ToChar(IFormatProvider? provider) => Convert.ToChar(Html, provider);

    public DateTime ToDateTime(IFormatProvider? provider) => Convert.ToDateTime(Html, provider);

    public decimal ToDecimal(IFormatProvider? provider) => Convert.ToDecimal(Html, provider);

    public double ToDouble(IFormatProvider? provider) => Convert.ToDouble(Html, provider);

    public short ToInt16(IFormatProvider? provider) => Convert.ToInt16(Html, provider);

    public int ToInt32(IFormatProvider? provider) => Convert.ToInt32(Html, provider);

    public long ToInt64(IFormatProvider? provider) => Convert.ToInt64(Html, provider);

    public sbyte ToSByte(IFormatProvider? provider) => Convert.ToSByte(Html, provider);

    public float ToSingle(IFormatProvider? provider) => Convert.ToSingle(Html, provider);

    public ushort ToUInt16(IFormatProvider? provider) => Convert.ToUInt16(Html, provider);

    public uint ToUInt32(IFormatProvider? provider) => Convert.ToUInt32(Html, provider);

    public ulong ToUInt64(IFormatProvider? provider) => Convert.ToUInt64(Html, provider);
}
