using System.Text.Json;
using XNovu.Api.Workflows;
using XNovu.Core.Templates;
using XNovu.Core.Json;

namespace XNovu.Api.Templates;

internal sealed record PreviewOutcome(PreviewResponse? Preview, IDictionary<string, string[]>? Errors);

/// <summary>The management API's use of the shared template engine: checking Liquid on write, and previews.</summary>
public sealed class TemplatePreviewer(ITemplateEngine engine)
{
    private const string PreviewSubscriberId = "preview-subscriber";

    /// <summary>Null when <paramref name="liquid"/> parses; otherwise the field error, with line and column.</summary>
    public string? Explain(string liquid)
    {
        var result = engine.Validate(liquid);
        if (result.IsValid)
        {
            return null;
        }

        return result.Line is { } line && result.Column is { } column
            ? $"does not parse at line {line}, column {column}: {result.Error}"
            : $"does not parse: {result.Error}";
    }

    /// <summary>The enterprise's own template of that key, or else the static one, as sending would find it.</summary>
    internal Task<TemplateDefinition?> FindAsync(Guid enterpriseId, string templateKey, CancellationToken cancellationToken) =>
        engine.FindTemplateAsync(enterpriseId, templateKey, cancellationToken);

    /// <param name="field">The request field that errors are reported on.</param>
    internal async Task<PreviewOutcome> RenderAsync(
        Guid enterpriseId,
        NotificationChannel channel,
        string? subject,
        string body,
        string? templateKey,
        bool payloadAtRoot,
        JsonElement? payload,
        JsonElement? subscriber,
        string field,
        CancellationToken cancellationToken,
        Core.Localization.Translations? translations = null,
        string? locale = null,
        JsonElement? digest = null)
    {
        try
        {
            var request = new RenderRequest(
                enterpriseId, channel, subject, body, Jsonb.IsPresent(payload) ? payload : null, Subscriber(subscriber), TemplateKey: templateKey,
                PayloadAtRoot: payloadAtRoot)
            {
                Translations = translations,
                Digest = digest,
            };
            var result = await engine.RenderAsync(request, cancellationToken);
            return new PreviewOutcome(new PreviewResponse(channel.ToWireName(), result.Subject, result.Body, result.Text) { Locale = locale }, null);
        }
        catch (TemplateRenderException error)
        {
            var where = error.Line is { } line && error.Column is { } column ? $" (line {line}, column {column})" : string.Empty;
            return new PreviewOutcome(null, new Dictionary<string, string[]> { [field] = [$"{error.Message}{where}"] });
        }
    }

    private static SubscriberVariables? Subscriber(JsonElement? given)
    {
        if (given is not { ValueKind: JsonValueKind.Object } subscriber)
        {
            return null;
        }

        string? Text(string name) =>
            subscriber.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        return new SubscriberVariables(
            Text("subscriberId") ?? PreviewSubscriberId,
            Text("email"),
            Text("phone"),
            Text("firstName"),
            Text("lastName"),
            Text("locale"),
            subscriber.TryGetProperty("data", out var data) ? data.Clone() : null);
    }
}
