using System.ComponentModel.DataAnnotations;
using XNovu.Core.Rules;

namespace XNovu.Dispatcher.Rules;

public sealed class RuleEngineOptions
{
    public const string SectionName = "XNovu:RuleEngine";

    /// <summary>Off: this replica schedules no CRON or SCHEDULE rule (others may).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// A tick later than this is missed, not late: the rule's misfire policy decides it. Within it, every tick
    /// fires (a replica that was busy or restarting for a few seconds loses nothing).
    /// </summary>
    public TimeSpan MisfireThreshold { get; set; } = RuleTickPlanner.DefaultMisfireThreshold;

    /// <summary>
    /// The safety net behind the <c>xnovu_rules</c> notifications, which bring rule changes within milliseconds:
    /// the rules are read again at least this often.
    /// </summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a replica tells the status endpoint that it runs; it counts as gone after three misses.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1, 64)]
    public int HeartbeatMisses { get; set; } = 3;
}
