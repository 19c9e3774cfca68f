namespace XNovu.Dispatcher.DeliveryPoll;

public static class DeliveryPollExtensions
{
    /// <summary>The poll of Novu for environments without webhooks, with its options bound from <c>XNovu:DeliveryPoll</c>.</summary>
    public static IHostApplicationBuilder AddDeliveryPoll(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeliveryPollOptions>()
            .BindConfiguration(DeliveryPollOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.MaxWait >= o.Wait, $"{DeliveryPollOptions.SectionName}:MaxWait must be at least Wait.")
            .Validate(o => o.GiveUpAfter > o.After, $"{DeliveryPollOptions.SectionName}:GiveUpAfter must be longer than After.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DeliveryPollStore>();
        if (builder.Configuration.GetValue($"{DeliveryPollOptions.SectionName}:{nameof(DeliveryPollOptions.Enabled)}", true))
        {
            builder.Services.AddHostedService<DeliveryOutcomePoller>();
        }

        return builder;
    }
}
