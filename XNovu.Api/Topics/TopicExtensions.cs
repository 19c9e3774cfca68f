using XNovu.Api.Subscribers;

namespace XNovu.Api.Topics;

public static class TopicExtensions
{
    /// <summary>The subscriber directory, topics, and the expansion of topic triggers.</summary>
    public static IHostApplicationBuilder AddXNovuSubscribersAndTopics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TopicOptions>()
            .BindConfiguration(TopicOptions.SectionName)
            .Validate(o => o.MaxTriggerRecipients > 0 && o.ExpansionBatchSize > 0 && o.MaxMembersPerCall > 0,
                $"{TopicOptions.SectionName}: MaxTriggerRecipients, ExpansionBatchSize and MaxMembersPerCall must be positive.")
            .Validate(o => o.ResumeInterval > TimeSpan.Zero && o.ResumeAfterIdle >= TimeSpan.FromSeconds(1),
                $"{TopicOptions.SectionName}: ResumeInterval must be positive and ResumeAfterIdle at least a second.")
            .ValidateOnStart();
        builder.Services.AddSingleton<SubscriberStore>();
        builder.Services.AddSingleton<SubscriberNovuSync>();
        builder.Services.AddSingleton<TopicStore>();
        builder.Services.AddSingleton<TopicAudience>();
        builder.Services.AddHostedService<TopicExpansionResumer>();
        return builder;
    }
}
