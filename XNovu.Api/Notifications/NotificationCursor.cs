using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace XNovu.Api.Notifications;

/// <summary>
/// The position after the last item of a page, (created_at, id), as an opaque base64url token. Ticks keep
/// PostgreSQL's microseconds exactly, so no row is skipped or repeated at a page boundary.
/// </summary>
internal readonly record struct NotificationCursor(DateTime CreatedAt, long Id)
{
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{CreatedAt.ToUniversalTime().Ticks}.{Id}")));

    public static bool TryDecode(string token, out NotificationCursor cursor)
    {
        cursor = default;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('.');
            if (parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks > 0 && ticks <= DateTime.MaxValue.Ticks
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                cursor = new NotificationCursor(new DateTime(ticks, DateTimeKind.Utc), id);
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
