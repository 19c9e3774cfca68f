using System.Globalization;
using System.Text;

namespace XNovu.Core.Templates;

/// <summary>
/// <c>sanitize_sms</c>: plain text fit for an SMS. Markup is removed, typographic punctuation that is not
/// in the GSM 03.38 alphabet (curly quotes, dashes, ellipsis, non-breaking and zero-width spaces, bullets)
/// becomes its GSM look-alike so that one such character does not switch the whole message to UCS-2 and
/// cut its segment size from 160 to 70; other characters (names in other scripts, emoji) are kept, since
/// dropping them would change the message. Whitespace collapses to single spaces and the text is cut at a
/// character boundary to at most <c>maxLength</c>.
/// </summary>
internal static class SmsText
{
    public static string Sanitize(string input, int maxLength)
    {
        maxLength = Math.Max(1, maxLength);
        var text = input.Contains('<', StringComparison.Ordinal) || input.Contains('&', StringComparison.Ordinal)
            ? HtmlText.ToText(input)
            : input;

        var result = new StringBuilder(Math.Min(text.Length, maxLength + 4));
        var pendingSpace = false;
        foreach (var c in text)
        {
            var replacement = GsmLookAlike(c);
            if (replacement is null)
            {
                continue;
            }

            if (replacement == " ")
            {
                pendingSpace = result.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                result.Append(' ');
                pendingSpace = false;
            }

            result.Append(replacement);
        }

        return Truncate(result.ToString(), maxLength);
    }

    /// <summary>The character's GSM-friendly form: itself, a replacement, " " for whitespace, null to drop.</summary>
    private static string? GsmLookAlike(char c) => c switch
    {
        '\u2018' or '\u2019' or '\u201A' or '\u201B' or '\u2032' or '\u00B4' or '`' => "'",
        '\u201C' or '\u201D' or '\u201E' or '\u201F' or '\u2033' or '\u00AB' or '\u00BB' => "\"",
        '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' => "-",
        '\u2026' => "...",
        '\u2022' or '\u00B7' => "-",
        '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD' => null,
        _ when char.IsWhiteSpace(c) => " ",
        _ when char.IsControl(c) => null,
        _ => c.ToString(),
    };

    private static string Truncate(string text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        var length = 0;
        while (length < text.Length)
        {
            var next = StringInfo.GetNextTextElementLength(text.AsSpan(length));
            if (length + next > maxLength)
            {
                break;
            }

            length += next;
        }

        return text[..length].TrimEnd();
    }
}
