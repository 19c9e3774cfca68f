using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Templates;

public sealed class CacheTests
{
    private readonly InMemoryTemplateSource _source = new();
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = Clock();

    [Fact]
    public async Task First_lookup_misses_and_the_next_one_hits_without_asking_the_source()
    {
        _source.Put(Acme, "welcome", "Hi");
        var engine = Engine(_source, _clock);

        await engine.FindTemplateAsync(Acme, "welcome");
        await engine.FindTemplateAsync(Acme, "welcome");

        Assert.Equal(new TemplateCacheStats(Total: 1, Valid: 1, Expired: 0, Hits: 1, Misses: 1, CachedBodies: 0), engine.GetStats());
        Assert.Equal(1, _source.Lookups);
    }

    [Fact]
    public async Task Includes_are_served_from_the_cache_on_later_renders()
    {
        _source.Put(Acme, "footer", "F");
        var engine = Engine(_source, _clock);

        await engine.RenderPlainAsync("""{% xnovu_render "footer" %}""");
        await engine.RenderPlainAsync("""{% xnovu_render "footer" %}""");

        Assert.Equal(1, _source.Lookups);
        Assert.Equal(1, engine.GetStats().Hits);
    }

    [Fact]
    public async Task The_same_key_of_two_enterprises_is_cached_apart()
    {
        _source.Put(Acme, "footer", "Acme");
        _source.Put(Globex, "footer", "Globex");
        var engine = Engine(_source, _clock);

        var acme = await engine.FindTemplateAsync(Acme, "footer");
        var globex = await engine.FindTemplateAsync(Globex, "footer");

        Assert.Equal("Acme", acme?.BodyTemplate);
        Assert.Equal("Globex", globex?.BodyTemplate);
        Assert.Equal(2, engine.GetStats().Total);
    }

    [Fact]
    public async Task An_entry_expires_after_five_minutes_and_is_fetched_again()
    {
        _source.Put(Acme, "welcome", "v1");
        var engine = Engine(_source, _clock);
        await engine.FindTemplateAsync(Acme, "welcome");

        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Equal(1, engine.GetStats().Valid);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((1, 0, 1), (engine.GetStats().Total, engine.GetStats().Valid, engine.GetStats().Expired));

        _source.Put(Acme, "welcome", "v2", updatedAt: _clock.GetUtcNow());
        var refreshed = await engine.FindTemplateAsync(Acme, "welcome");

        Assert.Equal("v2", refreshed?.BodyTemplate);
        Assert.Equal(2, _source.Lookups);
        Assert.Equal(1, engine.GetStats().Valid);
    }

    [Fact]
    public async Task Cache_lifetime_follows_the_option()
    {
        _source.Put(Acme, "welcome", "v1");
        var engine = Engine(_source, _clock, new TemplateEngineOptions { CacheTtl = TimeSpan.FromSeconds(30) });
        await engine.FindTemplateAsync(Acme, "welcome");

        _clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(1, engine.GetStats().Expired);
    }

    [Fact]
    public async Task Until_it_expires_a_cached_template_hides_changes_at_the_source()
    {
        _source.Put(Acme, "footer", "old");
        var engine = Engine(_source, _clock);
        await engine.RenderPlainAsync("""{% xnovu_render "footer" %}""");

        _source.Put(Acme, "footer", "new", updatedAt: _clock.GetUtcNow());

        Assert.Equal("old", await engine.RenderPlainAsync("""{% xnovu_render "footer" %}"""));
    }

    [Fact]
    public async Task Evict_makes_the_next_render_see_the_new_version()
    {
        _source.Put(Acme, "footer", "old");
        var engine = Engine(_source, _clock);
        await engine.RenderPlainAsync("""{% xnovu_render "footer" %}""");
        _source.Put(Acme, "footer", "new", updatedAt: _clock.GetUtcNow());

        Assert.True(engine.Evict(Acme, "footer"));

        Assert.Equal("new", await engine.RenderPlainAsync("""{% xnovu_render "footer" %}"""));
        Assert.Equal(2, _source.Lookups);
    }

    [Fact]
    public async Task Evict_of_one_enterprise_leaves_the_others_entry()
    {
        _source.Put(Acme, "footer", "A");
        _source.Put(Globex, "footer", "G");
        var engine = Engine(_source, _clock);
        await engine.FindTemplateAsync(Acme, "footer");
        await engine.FindTemplateAsync(Globex, "footer");

        engine.Evict(Globex, "footer");

        Assert.Equal(1, engine.GetStats().Total);
        await engine.FindTemplateAsync(Acme, "footer");
        Assert.Equal(2, _source.Lookups);
    }

    [Fact]
    public async Task Clear_empties_both_caches()
    {
        _source.Put(Acme, "footer", "F");
        var engine = Engine(_source, _clock);
        await engine.RenderPlainAsync("""{% xnovu_render "footer" %}""");

        engine.Clear();

        var stats = engine.GetStats();
        Assert.Equal((0, 0), (stats.Total, stats.CachedBodies));
        await engine.RenderPlainAsync("""{% xnovu_render "footer" %}""");
        Assert.Equal(2, _source.Lookups);
    }

    [Fact]
    public async Task A_missing_template_is_not_cached()
    {
        var engine = Engine(_source, _clock);
        Assert.Null(await engine.FindTemplateAsync(Acme, "later"));

        _source.Put(Acme, "later", "now here");

        Assert.Equal("now here", (await engine.FindTemplateAsync(Acme, "later"))?.BodyTemplate);
    }

    [Fact]
    public async Task Ad_hoc_bodies_are_cached_by_content_within_a_bound()
    {
        var engine = Engine(_source, _clock, new TemplateEngineOptions { MaxCachedBodies = 10 });

        await engine.RenderPlainAsync("same {{ payload.n }}", """{"n": 1}""");
        await engine.RenderPlainAsync("same {{ payload.n }}", """{"n": 2}""");
        Assert.Equal(1, engine.GetStats().CachedBodies);

        for (var i = 0; i < 50; i++)
        {
            await engine.RenderPlainAsync($"body {i}");
        }

        Assert.InRange(engine.GetStats().CachedBodies, 1, 10);
    }

    [Fact]
    public async Task The_template_cache_is_bounded()
    {
        for (var i = 0; i < 20; i++)
        {
            _source.Put(Acme, $"t{i}", "x");
        }

        var engine = Engine(_source, _clock, new TemplateEngineOptions { MaxCachedTemplates = 5 });
        for (var i = 0; i < 20; i++)
        {
            await engine.FindTemplateAsync(Acme, $"t{i}");
        }

        Assert.InRange(engine.GetStats().Total, 1, 5);
        Assert.Equal(20, _source.Lookups);
    }
}
