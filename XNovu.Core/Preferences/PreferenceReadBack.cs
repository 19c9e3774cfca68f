namespace XNovu.Core.Preferences;

/// <summary>What XNovu holds for one subscriber level when Novu reports that level changed.</summary>
/// <param name="Level">The level's stated channels (Novu's keys); empty when it states none.</param>
/// <param name="Global">The subscriber's global stated channels (for a workflow level; Novu shows a workflow's
/// channel from the global choice when the workflow level does not state it).</param>
/// <param name="UpdatedAt">When XNovu last wrote the level; null when it never did.</param>
/// <param name="PushPending">A change of this level written in XNovu is still queued for Novu.</param>
public sealed record StoredPreferenceLevel(
    IReadOnlyDictionary<string, bool> Level,
    IReadOnlyDictionary<string, bool> Global,
    DateTimeOffset? UpdatedAt,
    bool PushPending);

/// <summary>
/// The way back from Novu (its <c>preference.updated</c> webhook, sent after a change in the Inbox or through
/// Novu's API): which channels to take into XNovu. Novu reports a level's channels as it shows them (merged), not
/// as the subscriber stated them, so XNovu compares each with what Novu shows for the choices XNovu pushed (the
/// level's stated value, else for a workflow the global one, else on, Novu's default) and takes only those that
/// differ: those a person changed in Novu. So the enterprise's defaults, which Novu does not know, are never
/// turned into subscriber choices, and the echo of XNovu's own push changes nothing.
/// Conflicts, last writer by time:
/// <list type="bullet">
/// <item>a report not later than XNovu's last write of the level is dropped (a late or replayed webhook, or one
/// overtaken by a change in XNovu);</item>
/// <item>while a change of the level written in XNovu is still queued for Novu, the channels that change states are
/// XNovu's (the push will set them in Novu); a channel it does not state is Novu's to report.</item>
/// </list>
/// </summary>
public static class PreferenceReadBack
{
    public static IReadOnlyDictionary<string, bool> Changes(
        IReadOnlyDictionary<string, bool> reported, bool isGlobal, DateTimeOffset reportedAt, StoredPreferenceLevel stored)
    {
        var changes = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (stored.UpdatedAt is { } written && written >= reportedAt)
        {
            return changes;
        }

        foreach (var (channel, enabled) in reported)
        {
            if (!PreferenceChannels.Keys.Contains(channel, StringComparer.Ordinal))
            {
                continue;
            }

            if (stored.PushPending && stored.Level.ContainsKey(channel))
            {
                continue;
            }

            var shown = stored.Level.TryGetValue(channel, out var own) ? own
                : !isGlobal && stored.Global.TryGetValue(channel, out var global) ? global
                : true;
            if (shown != enabled)
            {
                changes[channel] = enabled;
            }
        }

        return changes;
    }
}
