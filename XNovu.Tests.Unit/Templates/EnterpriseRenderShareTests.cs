using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Templates;

/// <summary>
/// One enterprise's slow templates take at most their share of a process's rendering; other enterprises are never
/// refused for it, and the refused one may render again once its share has refilled.
/// </summary>
public sealed class EnterpriseRenderShareTests
{
    private static readonly TemplateEngineOptions Options = new() { EnterpriseRenderBurst = TimeSpan.FromSeconds(3), EnterpriseRenderShare = 0.5 };

    [Fact]
    public void An_enterprise_that_spent_its_burst_is_refused_until_it_refills_and_another_enterprise_is_not()
    {
        var clock = Clock();
        var share = new EnterpriseRenderShare(Options, clock);

        share.EnsureMayRender(Acme);
        share.Spent(Acme, TimeSpan.FromSeconds(4)); // one second past the burst

        var refused = Assert.Throws<RenderThrottledException>(() => share.EnsureMayRender(Acme));
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.1)); // 1 s of debt at 0.5 s/s
        share.EnsureMayRender(Globex);

        clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Throws<RenderThrottledException>(() => share.EnsureMayRender(Acme));
        clock.Advance(TimeSpan.FromSeconds(0.2));
        share.EnsureMayRender(Acme);
    }

    [Fact]
    public async Task An_enterprise_renders_at_most_its_turns_at_once_and_waits_behind_itself_not_in_front_of_others()
    {
        var share = new EnterpriseRenderShare(new TemplateEngineOptions { EnterpriseRenderConcurrency = 1 }, Clock());

        var first = await share.EnterAsync(Acme, CancellationToken.None);
        var second = share.EnterAsync(Acme, CancellationToken.None).AsTask();
        var other = await share.EnterAsync(Globex, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        await Task.Delay(50);
        Assert.False(second.IsCompleted, "Acme's second render waits for its first");
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        other.Dispose();
    }

    [Fact]
    public async Task A_turn_given_up_while_waiting_or_refused_for_the_share_is_handed_back()
    {
        var share = new EnterpriseRenderShare(new TemplateEngineOptions { EnterpriseRenderConcurrency = 1, EnterpriseRenderBurst = TimeSpan.FromSeconds(3), EnterpriseRenderShare = 0.5 }, Clock());
        var held = await share.EnterAsync(Acme, CancellationToken.None);
        using (var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => share.EnterAsync(Acme, impatient.Token).AsTask());
        }

        share.Spent(Acme, TimeSpan.FromSeconds(10));
        held.Dispose();

        // Refused for the share after taking the turn: the turn is released, so the next caller is refused too
        // (at once, not left waiting for a turn nobody gives back).
        await Assert.ThrowsAsync<RenderThrottledException>(() => share.EnterAsync(Acme, CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<RenderThrottledException>(() => share.EnterAsync(Acme, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Cheap_renders_never_run_out()
    {
        var clock = Clock();
        var share = new EnterpriseRenderShare(Options, clock);

        // 100,000 renders of 50 µs over 10 s: a quarter of a core, under the share of half a core.
        for (var i = 0; i < 100_000; i++)
        {
            share.EnsureMayRender(Acme);
            share.Spent(Acme, TimeSpan.FromTicks(500));
            clock.Advance(TimeSpan.FromTicks(1000));
        }
    }

    [Fact]
    public void The_bucket_holds_no_more_than_the_burst_however_long_the_enterprise_was_idle()
    {
        var clock = Clock();
        var share = new EnterpriseRenderShare(Options, clock);
        share.Spent(Acme, TimeSpan.Zero);
        clock.Advance(TimeSpan.FromHours(1));

        share.Spent(Acme, TimeSpan.FromSeconds(3.5));

        Assert.Throws<RenderThrottledException>(() => share.EnsureMayRender(Acme));
    }

    [Fact]
    public async Task The_engine_refuses_a_throttled_enterprises_render_before_rendering_and_renders_anothers()
    {
        var clock = Clock();
        var engine = Engine(time: clock, options: new TemplateEngineOptions { RenderTimeout = TimeSpan.FromSeconds(1), EnterpriseRenderBurst = TimeSpan.FromSeconds(1), EnterpriseRenderShare = 0.5 });
        // A clock that moves 2 s at every reading stands in for a render that runs out of time: stopped at the
        // timeout, and paid for all the same.
        clock.AutoAdvanceAmount = TimeSpan.FromSeconds(2);

        var slow = await Assert.ThrowsAsync<TemplateRenderException>(() => engine.RenderAsync(Request("slow", NotificationChannel.Sms, enterpriseId: Acme)));
        Assert.Equal(TemplateErrorKind.Budget, slow.Kind);
        clock.AutoAdvanceAmount = TimeSpan.Zero;

        await Assert.ThrowsAsync<RenderThrottledException>(() => engine.RenderAsync(Request("next", NotificationChannel.Sms, enterpriseId: Acme)));
        Assert.Equal("other", (await engine.RenderAsync(Request("other", NotificationChannel.Sms, enterpriseId: Globex))).Body);
    }

    [Theory]
    [InlineData("00:00:02", "00:00:01", "0.5")]
    [InlineData("00:00:01", "00:00:03", "0")]
    [InlineData("00:00:01", "00:00:03", "65")]
    public void A_share_that_could_lock_an_enterprise_out_or_never_refill_is_refused_at_start(string renderTimeout, string burst, string share)
    {
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["XNovu:Templates:RenderTimeout"] = renderTimeout,
                ["XNovu:Templates:EnterpriseRenderBurst"] = burst,
                ["XNovu:Templates:EnterpriseRenderShare"] = share,
            }).Build())
            .AddXNovuTemplates()
            .BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TemplateEngineOptions>>().Value);
        Assert.Contains("EnterpriseRender", refused.Message, StringComparison.Ordinal);
    }
}
