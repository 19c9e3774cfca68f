namespace XNovu.Console;

/// <summary>The delivery channels the API knows, and which of them carry a subject line.</summary>
public static class Channels
{
    public static IReadOnlyList<string> All { get; } = ["EMAIL", "SMS", "PUSH", "CHAT", "IN_APP"];

    public static bool HasSubject(string? channel) => channel is "EMAIL" or "PUSH" or "IN_APP";

    public static bool IsHtml(string? channel) => channel is "EMAIL";
}
