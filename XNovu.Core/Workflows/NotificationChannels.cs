namespace XNovu.Core.Workflows;

/// <summary>
/// The channel names as the database enum <c>notify.notification_channel_type</c> spells them. All five are
/// accepted everywhere: the original's workflow factory refused CHAT although its schema allowed it.
/// </summary>
public static class NotificationChannels
{
    public const string InApp = "IN_APP";
    public const string Email = "EMAIL";
    public const string Sms = "SMS";
    public const string Chat = "CHAT";
    public const string Push = "PUSH";

    public static IReadOnlyList<string> All { get; } = [InApp, Email, Sms, Chat, Push];

    public static bool IsKnown(string? channel) => channel is not null && All.Contains(channel, StringComparer.Ordinal);
}

/// <summary>The publish states the management API moves definitions between.</summary>
public static class PublishStatuses
{
    public const string Draft = "DRAFT";
    public const string Publish = "PUBLISH";

    /// <summary>Every value of <c>notify.publish_status</c>, for filters.</summary>
    public static IReadOnlyList<string> All { get; } = ["NONE", Draft, "DISCARD", Publish, "DELETED", "REVIEW"];
}

/// <summary>Workflow and template keys travel in URLs and in Novu workflow identifiers, so they stay plain.</summary>
public static class DefinitionKeys
{
    public const int MaxLength = 200;

    public static bool IsValid(string? key) =>
        !string.IsNullOrEmpty(key)
        && key.Length <= MaxLength
        && char.IsAsciiLetterOrDigit(key[0])
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public const string Rule = "must start with a letter or digit and hold only letters, digits, '-', '_' and '.' (at most 200).";
}
