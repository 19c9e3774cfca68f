using XNovu.Core.Templates;
using static XNovu.Tests.Unit.Templates.TemplateTesting;

namespace XNovu.Tests.Unit.Templates;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Parallel_renders_of_html_and_text_channels_keep_their_own_escaping()
    {
        var source = new InMemoryTemplateSource();
        source.Put(Acme, "signature", "-- {{ team }}");
        var engine = Engine(source);
        const string Body = """<p>{{ payload.name }} #{{ payload.n }}</p>{% xnovu_render "signature", team: payload.team %}""";

        var failures = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
        {
            var channel = i % 2 == 0 ? NotificationChannel.Email : NotificationChannel.Sms;
            var result = await engine.RenderAsync(Request(Body, channel, $$"""{"name": "<x>", "n": {{i}}, "team": "R&D"}"""), cancellationToken);
            var expected = channel == NotificationChannel.Email
                ? $"<p>&lt;x&gt; #{i}</p>-- R&amp;D"
                : $"<p><x> #{i}</p>-- R&D";
            if (result.Body != expected)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
        Assert.Equal(1, engine.GetStats().CachedBodies);
    }
}
