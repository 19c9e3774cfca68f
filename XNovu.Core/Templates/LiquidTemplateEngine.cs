using System.Globalization;
using DotLiquid;
using Microsoft.Extensions.Options;

namespace XNovu.Core.Templates;

/// <summary>The template engine the API (validation, preview) and the dispatcher (rendering) share.</summary>
public interface ITemplateEngine
{
    /// <summary>Parses Liquid without rendering it: a template that does not parse is refused when written.</summary>
    TemplateParseResult Validate(string liquid);

    /// <summary>Renders a subject and body for one recipient.</summary>
    /// <exception cref="TemplateRenderException">The Liquid does not parse, an include fails, or rendering fails.</exception>
    /// <exception cref="RenderThrottledException">The enterprise has spent its share of this process's rendering for now.</exception>
    Task<RenderResult> RenderAsync(RenderRequest request, CancellationToken cancellationToken = default);

    /// <summary>A stored template by key, through the cache (the source decides the static fallback).</summary>
    Task<TemplateDefinition?> FindTemplateAsync(Guid? enterpriseId, string templateKey, CancellationToken cancellationToken = default);

    /// <summary>Forgets a template fetched by key; call it when the template is written, here and on every instance.</summary>
    bool Evict(Guid? enterpriseId, string templateKey);

    void Clear();

    /// <summary>Forgets one enterprise's templates only.</summary>
    void Clear(Guid enterpriseId);

    TemplateCacheStats GetStats();

    /// <summary>One enterprise's templates and lookups only.</summary>
    TemplateCacheStats GetStats(Guid enterpriseId);
}

public sealed class LiquidTemplateEngine : ITemplateEngine
{
    private readonly TemplateEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly TemplateCache _cache;
    private readonly EnterpriseRenderShare _share;

    public LiquidTemplateEngine(ILiquidTemplateSource source, IOptions<TemplateEngineOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options.Value;
        _time = time;
        _cache = new TemplateCache(source, _options, time);
        _share = new EnterpriseRenderShare(_options, time);
        LiquidSetup.EnsureRegistered();
    }

    public TemplateParseResult Validate(string liquid)
    {
        ArgumentNullException.ThrowIfNull(liquid);
        return _cache.GetBody(liquid).Result;
    }

    public async Task<RenderResult> RenderAsync(RenderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The enterprise's turn (it waits behind its own renders only), then refused before any work when its
        // renders have taken their share of this process for now.
        using var turn = request.EnterpriseId is { } payer ? await _share.EnterAsync(payer, cancellationToken) : null;

        var subject = request.SubjectTemplate is null ? null : Parsed(request.SubjectTemplate, "subject", request.TemplateKey);
        var body = Parsed(request.BodyTemplate, "body", request.TemplateKey);
        var includes = await FetchIncludesAsync(request.EnterpriseId, [.. subject?.IncludeKeys ?? [], .. body.IncludeKeys], cancellationToken);

        var payloadValues = request.Payload is { } payload ? LiquidValues.FromJson(payload) ?? new Hash() : new Hash();
        var variables = new Hash();
        if (request.PayloadAtRoot && payloadValues is Hash rootValues)
        {
            variables.Merge(rootValues);
        }

        variables["payload"] = payloadValues;
        variables["subscriber"] = request.Subscriber is { } subscriber ? LiquidValues.Subscriber(subscriber) : new Hash();
        variables["enterprise"] = LiquidValues.Enterprise(request.Enterprise, request.EnterpriseId);
        if (request.UnsubscribeUrl is { } unsubscribeUrl)
        {
            variables["unsubscribe_url"] = unsubscribeUrl;
        }

        if (request.Digest is { } digest)
        {
            variables["digest"] = LiquidValues.FromJson(digest);
        }

        using var timeout = new CancellationTokenSource(_options.RenderTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var budget = RenderBudget.Begin(new RenderBudget(_options.MaxOutputLength, linked.Token));
        var started = _time.GetTimestamp();
        try
        {
            var html = request.Channel.HasHtmlBody();
            var renderedSubject = subject is null ? null : Render(subject, variables, includes, request, encodeHtml: false, linked.Token).Trim();
            var renderedBody = Render(body, variables, includes, request, encodeHtml: html, linked.Token);
            if (html)
            {
                renderedBody = UrlAttributes.Secure(renderedBody, request.Channel);
            }

            return new RenderResult(renderedSubject, renderedBody, html ? HtmlText.ToText(renderedBody) : renderedBody);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TemplateRenderException(
                TemplateErrorKind.Budget,
                string.Create(CultureInfo.InvariantCulture, $"Rendering took longer than {_options.RenderTimeout.TotalSeconds:0.###} s and was stopped."),
                request.TemplateKey);
        }
        finally
        {
            if (request.EnterpriseId is { } enterpriseId)
            {
                _share.Spent(enterpriseId, _time.GetElapsedTime(started));
            }
        }
    }

    public async Task<TemplateDefinition?> FindTemplateAsync(Guid? enterpriseId, string templateKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(templateKey);
        return (await _cache.GetTemplateAsync(enterpriseId, templateKey, cancellationToken))?.Definition;
    }

    public bool Evict(Guid? enterpriseId, string templateKey)
    {
        ArgumentNullException.ThrowIfNull(templateKey);
        return _cache.Evict(enterpriseId, templateKey);
    }

    public void Clear() => _cache.Clear();

    public void Clear(Guid enterpriseId) => _cache.Clear(enterpriseId);

    public TemplateCacheStats GetStats() => _cache.GetStats();

    public TemplateCacheStats GetStats(Guid enterpriseId) => _cache.GetStats(enterpriseId);

    private ParsedLiquid Parsed(string liquid, string part, string? templateKey)
    {
        var parsed = _cache.GetBody(liquid);
        if (parsed.Template is null)
        {
            var error = parsed.Result;
            var of = templateKey is null ? $"The {part}" : $"The {part} of template '{templateKey}'";
            throw new TemplateRenderException(TemplateErrorKind.Syntax, $"{of} does not parse: {error.Describe()}.", templateKey, error.Line, error.Column);
        }

        return parsed;
    }

    /// <summary>
    /// Fetches, level by level, every template the includes can reach within the depth limit, so that the
    /// synchronous render never waits on the source. A key missing here is reported only if rendering
    /// actually reaches its tag (it may sit in a branch not taken).
    /// </summary>
    private async Task<Dictionary<string, CachedTemplate?>> FetchIncludesAsync(Guid? enterpriseId, IReadOnlyList<string> rootKeys, CancellationToken cancellationToken)
    {
        var fetched = new Dictionary<string, CachedTemplate?>(StringComparer.Ordinal);
        var level = rootKeys.Distinct(StringComparer.Ordinal).ToList();
        for (var depth = 1; depth <= _options.MaxIncludeDepth && level.Count > 0; depth++)
        {
            var next = new List<string>();
            foreach (var key in level)
            {
                if (fetched.ContainsKey(key))
                {
                    continue;
                }

                var template = await _cache.GetTemplateAsync(enterpriseId, key, cancellationToken);
                fetched[key] = template;
                if (template is not null)
                {
                    next.AddRange(template.Body.IncludeKeys.Where(included => !fetched.ContainsKey(included)));
                }
            }

            level = next.Distinct(StringComparer.Ordinal).ToList();
        }

        return fetched;
    }

    private string Render(ParsedLiquid parsed, Hash variables, Dictionary<string, CachedTemplate?> includes, RenderRequest request, bool encodeHtml, CancellationToken cancellationToken)
    {
        var rootKey = request.TemplateKey;
        if (encodeHtml)
        {
            LiquidSetup.AssertEncodingInstalled();
        }

        var registers = new Hash
        {
            [RenderSession.RegisterName] = new RenderSession(includes, _options.MaxIncludeDepth, rootKey),
            [Localization.Translations.RegisterName] = request.Translations,
        };
        var context = new Context([variables], new Hash(), registers, ErrorsOutputMode.Rethrow, _options.MaxLoopIterations, CultureInfo.InvariantCulture, cancellationToken)
        {
            SyntaxCompatibilityLevel = LiquidParser.Syntax,
        };

        using (HtmlOutput.Begin(encodeHtml))
        {
            try
            {
                // The writer holds the output to the budget as it is written, not once it is complete.
                using var output = RenderBudget.Writer(CultureInfo.InvariantCulture);
                parsed.Template!.Render(output, RenderParameters.FromContext(context, CultureInfo.InvariantCulture));
                return output.ToString() ?? string.Empty;
            }
            catch (Exception error) when (error is not (TemplateRenderException or OperationCanceledException or OutOfMemoryException))
            {
                // DotLiquid and the filters it calls report bad input with whatever exception comes to hand;
                // the author gets the message, never the stack.
                throw new TemplateRenderException(
                    $"Liquid error{(rootKey is null ? string.Empty : $" in template '{rootKey}'")}: {LiquidParser.Shorten(error.Message)}",
                    error);
            }
        }
    }
}
