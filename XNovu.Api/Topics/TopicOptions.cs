namespace XNovu.Api.Topics;

/// <summary>Bound from <c>XNovu:Topics</c>, validated at start.</summary>
public sealed class TopicOptions
{
    public const string SectionName = "XNovu:Topics";

    /// <summary>The most recipients one trigger may reach through its topics and single recipients together; more is 422.</summary>
    public int MaxTriggerRecipients { get; set; } = 10_000;

    /// <summary>Deliveries created per transaction when a topic trigger is expanded.</summary>
    public int ExpansionBatchSize { get; set; } = 500;

    /// <summary>The most subscriber ids one call may add to or remove from a topic.</summary>
    public int MaxMembersPerCall { get; set; } = 1000;

    /// <summary>How often an expansion left unfinished by a crashed API instance is looked for.</summary>
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an expansion must be untouched before another instance finishes it.</summary>
    public TimeSpan ResumeAfterIdle { get; set; } = TimeSpan.FromSeconds(30);
}
