using System.Buffers.Text;
using System.Text;

namespace XNovu.Api.Subscribers;

/// <summary>
/// The position after the last item of a page of a list ordered by a text key (a subscriber id), as an
/// opaque base64url token, in the style of the notifications list's cursor.
/// </summary>
internal readonly record struct KeyCursor(string After)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("k." + After));

    public static bool TryDecode(string token, out KeyCursor cursor)
    {
        cursor = default;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith("k.", StringComparison.Ordinal) && text.Length > 2 && !text.Contains('\0', StringComparison.Ordinal))
            {
                cursor = new KeyCursor(text[2..]);
                return true;
            }
        }
        catch (FormatException)
        {
            // not base64url
        }

        return false;
    }
}
