using XNovu.Core.Workflows;

namespace XNovu.Core.Templates;

/// <summary>The delivery channels, as <c>notify.notification_channel_type</c> has them.</summary>
public enum NotificationChannel
{
    InApp,
    Email,
    Sms,
    Chat,
    Push,
}

public static class NotificationChannelNames
{
    /// <summary>The database and wire spelling: <c>IN_APP</c>, <c>EMAIL</c>, <c>SMS</c>, <c>CHAT</c>, <c>PUSH</c>.</summary>
    public static string ToWireName(this NotificationChannel channel) => channel switch
    {
        NotificationChannel.InApp => NotificationChannels.InApp,
        NotificationChannel.Email => NotificationChannels.Email,
        NotificationChannel.Sms => NotificationChannels.Sms,
        NotificationChannel.Chat => NotificationChannels.Chat,
        NotificationChannel.Push => NotificationChannels.Push,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };

    public static bool TryParse(string? wireName, out NotificationChannel channel)
    {
        foreach (var candidate in Enum.GetValues<NotificationChannel>())
        {
            if (string.Equals(candidate.ToWireName(), wireName, StringComparison.Ordinal))
            {
                channel = candidate;
                return true;
            }
        }

        channel = default;
        return false;
    }

    /// <summary>
    /// Email and in-app bodies are HTML, so rendered values are HTML-encoded there; the other channels
    /// (and every subject) are plain text and are left alone.
    /// </summary>
    public static bool HasHtmlBody(this NotificationChannel channel) =>
        channel is NotificationChannel.Email or NotificationChannel.InApp;
}
