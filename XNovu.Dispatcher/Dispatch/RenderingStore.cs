using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using XNovu.Core.Localization;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>
/// What one enterprise's part of a batch needs to render in the right locale and versions (issue 30), read for the
/// whole part at once: how its deliveries were first rendered (answered by the claim), the template versions those pin (one
/// query for the ones this process does not hold; versions never change, so they are kept), and the enterprise's
/// default locale and catalogs (<see cref="LocalizationCache"/>).
/// </summary>
public sealed class RenderingStore(WorkflowResolver resolver, LocalizationCache localization, IMemoryCache cache)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan VersionLifetime = TimeSpan.FromMinutes(30);

    public async Task<PartRendering> LoadAsync(
        Guid enterpriseId, IReadOnlyList<ClaimedDelivery> part, IEnumerable<string?> subscriberLocales, CancellationToken cancellationToken)
    {
        // The claim answers each delivery's first rendering (issue 32: read again here by id under row-level security,
        // the planner could serve it from the enterprise's index, 6.3 s for 50 deliveries at 36 million rows).
        var pinned = part
            .Where(d => d.Rendering is not null)
            .ToDictionary(d => d.DeliveryId, d => JsonSerializer.Deserialize<DeliveryRendering>(d.Rendering!, Json)!);

        var versions = new Dictionary<(string, int), TemplateDefinition>();
        var wanted = new List<(string Key, int Version)>();
        foreach (var pair in pinned.Values.SelectMany(p => p.Templates ?? new Dictionary<string, int>()).Distinct())
        {
            if (cache.TryGetValue(VersionKey(enterpriseId, pair.Key, pair.Value), out TemplateDefinition? held) && held is not null)
            {
                versions[(pair.Key, pair.Value)] = held;
            }
            else
            {
                wanted.Add((pair.Key, pair.Value));
            }
        }

        foreach (var (key, found) in await resolver.FindVersionsAsync(enterpriseId, wanted, cancellationToken))
        {
            cache.Set(VersionKey(enterpriseId, key.Key, key.Version), found, VersionLifetime);
            versions[key] = found;
        }

        var layouts = new Dictionary<(string, int), EmailLayout>();
        var wantedLayouts = new List<(string Key, int Version)>();
        foreach (var pair in pinned.Values.SelectMany(p => p.Layouts ?? new Dictionary<string, int>()).Distinct())
        {
            if (cache.TryGetValue(LayoutKey(enterpriseId, pair.Key, pair.Value), out EmailLayout? held) && held is not null)
            {
                layouts[(pair.Key, pair.Value)] = held;
            }
            else
            {
                wantedLayouts.Add((pair.Key, pair.Value));
            }
        }

        foreach (var (key, found) in await resolver.FindLayoutVersionsAsync(enterpriseId, wantedLayouts, cancellationToken))
        {
            cache.Set(LayoutKey(enterpriseId, key.Key, key.Version), found, VersionLifetime);
            layouts[key] = found;
        }

        var locales = subscriberLocales.Concat(pinned.Values.Select(p => p.Locale));
        return new PartRendering(pinned, versions, layouts, await localization.GetAsync(enterpriseId, locales, cancellationToken));
    }

    private static string LayoutKey(Guid enterpriseId, string layoutKey, int version) => $"xnovu:layout-version:{enterpriseId:N}:{version}:{layoutKey}";

    private static string VersionKey(Guid enterpriseId, string templateKey, int version) => $"xnovu:template-version:{enterpriseId:N}:{version}:{templateKey}";
}

/// <summary>One enterprise's part's rendering inputs; <see cref="Choose"/> is where a delivery's locale and versions are decided.</summary>
public sealed class PartRendering(
    IReadOnlyDictionary<long, DeliveryRendering> pinned,
    IReadOnlyDictionary<(string, int), TemplateDefinition> versions,
    IReadOnlyDictionary<(string, int), EmailLayout> layouts,
    EnterpriseLocalization localization)
{
    /// <summary>
    /// The template and locale a delivery renders a channel with: the version its first render used when it has one,
    /// else the live one; the locale its first render used, else the subscriber's chain (<see cref="LocaleVariants.Choose"/>);
    /// an email inside the layout version its first render used, else its layout's live version (<see cref="EmailLayout.Apply"/>).
    /// </summary>
    public (TemplateDefinition Template, string? Locale, Translations Translations) Choose(long deliveryId, TemplateDefinition live, string? subscriberLocale)
    {
        var pin = pinned.GetValueOrDefault(deliveryId);
        var template = Pinned(pin, live) ?? live;
        if (template.Layout is { } layout && pin?.Layouts is { } layoutPins && layoutPins.TryGetValue(layout.LayoutKey, out var layoutVersion)
            && layouts.TryGetValue((layout.LayoutKey, layoutVersion), out var keptLayout))
        {
            template = template with { Layout = keptLayout };
        }

        return localization.Choose(template, pin is null ? subscriberLocale : pin.Locale);
    }

    /// <summary>
    /// The version of the channel's template the delivery's first render used: the pinned version of the live template's
    /// key, or, when the workflow has named another template for the channel since (an edit or a rollback), the pinned
    /// template of the same channel (a workflow has at most one per channel). Null: render the live one.
    /// </summary>
    private TemplateDefinition? Pinned(DeliveryRendering? pin, TemplateDefinition live)
    {
        if (pin?.Templates is not { Count: > 0 } pins)
        {
            return null;
        }

        if (pins.TryGetValue(live.TemplateKey, out var version) && versions.TryGetValue((live.TemplateKey, version), out var kept))
        {
            return kept;
        }

        foreach (var (key, pinnedVersion) in pins)
        {
            if (versions.TryGetValue((key, pinnedVersion), out var other) && other.Channel == live.Channel)
            {
                return other;
            }
        }

        return null;
    }
}
