using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using XNovu.Core.Localization;
using XNovu.Core.Persistence;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;

namespace XNovu.Dispatcher.Dispatch;

/// <summary>
/// What one enterprise's part of a batch needs to render in the right locale and versions (issue 30), read for the
/// whole part at once: how its deliveries were first rendered (one query), the template versions those pin (one
/// query for the ones this process does not hold; versions never change, so they are kept), and the enterprise's
/// default locale and catalogs (<see cref="LocalizationCache"/>).
/// </summary>
public sealed class RenderingStore(XNovuDatabase database, WorkflowResolver resolver, LocalizationCache localization, IMemoryCache cache)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan VersionLifetime = TimeSpan.FromMinutes(30);

    public async Task<PartRendering> LoadAsync(
        Guid enterpriseId, IReadOnlyList<ClaimedDelivery> part, IEnumerable<string?> subscriberLocales, CancellationToken cancellationToken)
    {
        var ids = part.Select(d => d.DeliveryId).ToArray();
        var pinned = (await database.InTenantAsync(enterpriseId, session => session.Connection.QueryAsync<(long Id, string Rendering)>(
                "SELECT id, rendering::text FROM notify.ent_notification_delivery WHERE id = ANY(@ids) AND rendering IS NOT NULL",
                new { ids }, session.Transaction), cancellationToken))
            .ToDictionary(r => r.Id, r => JsonSerializer.Deserialize<DeliveryRendering>(r.Rendering, Json)!);

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

        var locales = subscriberLocales.Concat(pinned.Values.Select(p => p.Locale));
        return new PartRendering(pinned, versions, await localization.GetAsync(enterpriseId, locales, cancellationToken));
    }

    private static string VersionKey(Guid enterpriseId, string templateKey, int version) => $"xnovu:template-version:{enterpriseId:N}:{version}:{templateKey}";
}

/// <summary>One enterprise's part's rendering inputs; <see cref="Choose"/> is where a delivery's locale and versions are decided.</summary>
public sealed class PartRendering(
    IReadOnlyDictionary<long, DeliveryRendering> pinned,
    IReadOnlyDictionary<(string, int), TemplateDefinition> versions,
    EnterpriseLocalization localization)
{
    /// <summary>
    /// The template and locale a delivery renders a channel with: the version its first render used when it has one,
    /// else the live one; the locale its first render used, else the subscriber's chain (<see cref="LocaleVariants.Choose"/>);
    /// an email inside its layout's live version (<see cref="EmailLayout.Apply"/>).
    /// </summary>
    public (TemplateDefinition Template, string? Locale, Translations Translations) Choose(long deliveryId, TemplateDefinition live, string? subscriberLocale)
    {
        var pin = pinned.GetValueOrDefault(deliveryId);
        var template = pin?.Templates is { } pins && pins.TryGetValue(live.TemplateKey, out var version)
            && versions.TryGetValue((live.TemplateKey, version), out var kept)
            ? kept
            : live;
        var chain = Locales.Chain(pin is null ? subscriberLocale : pin.Locale, localization.DefaultLocale);
        var (chosen, locale) = LocaleVariants.Choose(template, chain, localization.Catalogs.Keys.ToHashSet(StringComparer.Ordinal), localization.DefaultLocale);
        return (EmailLayout.Apply(chosen), locale, localization.TranslationsFor(locale));
    }
}
