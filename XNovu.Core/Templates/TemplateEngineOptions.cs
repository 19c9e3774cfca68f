namespace XNovu.Core.Templates;

/// <summary>Bound from <c>XNovu:Templates</c>.</summary>
public sealed class TemplateEngineOptions
{
    public const string SectionName = "XNovu:Templates";

    /// <summary>How long a template fetched from the source is trusted before it is fetched again.</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How deep <c>xnovu_render</c> may nest: a template at this depth renders, one deeper fails.</summary>
    public int MaxIncludeDepth { get; set; } = 10;

    /// <summary>Templates fetched by key that are kept; past it, the least recently used go first.</summary>
    public int MaxCachedTemplates { get; set; } = 1000;

    /// <summary>Parsed ad-hoc subjects and bodies (keyed by a hash of their text) that are kept.</summary>
    public int MaxCachedBodies { get; set; } = 1000;

    /// <summary>
    /// A render taking longer than this is stopped, so a runaway loop cannot hold a dispatcher. A notification's
    /// template renders in microseconds to milliseconds; a second is a thousand times that, and bounds how long one
    /// slow template can hold the other deliveries of a dispatcher's batch.
    /// </summary>
    public TimeSpan RenderTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Render time one enterprise may spend at once in one process before its renders wait (<see cref="EnterpriseRenderShare"/>).
    /// </summary>
    public TimeSpan EnterpriseRenderBurst { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Render time one enterprise gets back per second in one process, as a share of one core (0.5: half a core).
    /// </summary>
    public double EnterpriseRenderShare { get; set; } = 0.5;

    /// <summary>
    /// Renders one enterprise may run at once in one process; the next wait their turn. Default: half the
    /// process's cores, at least one, so that one tenant's slow templates, however many requests or batches carry
    /// them, can keep at most that many cores busy while the others serve everyone else. A normal render takes
    /// microseconds, so the turn is rarely waited for.
    /// </summary>
    public int EnterpriseRenderConcurrency { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>
    /// Longest output one render of one channel may produce, in characters, and longest value (or list, in
    /// items) it may build on the way; past it the render fails rather than fill the process's memory.
    /// </summary>
    public int MaxOutputLength { get; set; } = 1024 * 1024;

    /// <summary>Most items one <c>for</c> loop may go through; it also keeps a loop over a huge range from filling memory.</summary>
    public int MaxLoopIterations { get; set; } = 10_000;

    internal IEnumerable<string> Problems()
    {
        if (CacheTtl <= TimeSpan.Zero)
        {
            yield return "CacheTtl must be positive.";
        }

        if (MaxIncludeDepth < 1)
        {
            yield return "MaxIncludeDepth must be at least 1.";
        }

        if (MaxCachedTemplates < 1 || MaxCachedBodies < 1)
        {
            yield return "MaxCachedTemplates and MaxCachedBodies must be at least 1.";
        }

        if (MaxLoopIterations < 1)
        {
            yield return "MaxLoopIterations must be at least 1.";
        }

        if (MaxOutputLength < 1024)
        {
            yield return "MaxOutputLength must be at least 1024 characters.";
        }

        if (RenderTimeout <= TimeSpan.Zero)
        {
            yield return "RenderTimeout must be positive.";
        }

        if (EnterpriseRenderBurst < RenderTimeout)
        {
            yield return "EnterpriseRenderBurst must be at least RenderTimeout, or one slow render would lock the enterprise out.";
        }

        if (EnterpriseRenderShare is not (> 0 and <= 64))
        {
            yield return "EnterpriseRenderShare must be above 0 and at most 64 (cores).";
        }

        if (EnterpriseRenderConcurrency < 1)
        {
            yield return "EnterpriseRenderConcurrency must be at least 1.";
        }
    }
}
