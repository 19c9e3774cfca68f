using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Localization;

namespace XNovu.Api.Localization;

/// <summary>
/// An enterprise's localization (issue 30): its default locale (<c>/api/localization</c>) and one translation catalog
/// per locale (<c>/api/translations/{locale}</c>, <c>fr-BE</c> or <c>fr_BE</c>), which the <c>t</c> filter reads.
/// </summary>
public static class TranslationEndpoints
{
    public static IEndpointRouteBuilder MapTranslationEndpoints(this IEndpointRouteBuilder routes)
    {
        var settings = routes.MapGroup("/api/localization").WithTags("Localization").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        settings.MapGet("/", async (HttpContext http, TranslationStore store, CancellationToken ct) =>
            TypedResults.Ok(new LocalizationSettings(await store.GetDefaultLocaleAsync(http.User.EnterpriseId(), ct))));
        settings.MapPut("/", PutSettingsAsync);

        var catalogs = routes.MapGroup("/api/translations").WithTags("Localization").RequireAuthorization(XNovuAuth.EnterprisePolicy);
        catalogs.MapGet("/", async (HttpContext http, TranslationStore store, CancellationToken ct) =>
            TypedResults.Ok(await store.ListAsync(http.User.EnterpriseId(), ct)));
        catalogs.MapGet("/{locale}", GetAsync);
        catalogs.MapPut("/{locale}", PutAsync);
        catalogs.MapDelete("/{locale}", DeleteAsync);
        return routes;
    }

    private static async Task<Results<Ok<LocalizationSettings>, ProblemHttpResult>> PutSettingsAsync(
        LocalizationSettings request, HttpContext http, TranslationStore store, LocalizationCache cache, CancellationToken cancellationToken)
    {
        string? locale = null;
        if (request.DefaultLocale is not null && (locale = Locales.Normalize(request.DefaultLocale)) is null)
        {
            return Problems.Validation("defaultLocale", "is not a locale (a language such as 'en', optionally with a region: 'en-GB' or 'en_GB').");
        }

        var enterpriseId = http.User.EnterpriseId();
        await store.SetDefaultLocaleAsync(enterpriseId, locale, cancellationToken);
        cache.Evict(enterpriseId);
        return TypedResults.Ok(new LocalizationSettings(locale));
    }

    private static async Task<Results<Ok<TranslationCatalogResponse>, ProblemHttpResult>> GetAsync(
        string locale, HttpContext http, TranslationStore store, CancellationToken cancellationToken)
    {
        if (Locales.Normalize(locale) is not { } name)
        {
            return NotALocale();
        }

        return await store.FindAsync(http.User.EnterpriseId(), name, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : Problems.NotFound($"There is no catalog for locale {name}.");
    }

    private static async Task<Results<Ok<TranslationCatalogResponse>, Created<TranslationCatalogResponse>, ProblemHttpResult>> PutAsync(
        string locale, JsonElement? entries, HttpContext http, TranslationStore store, LocalizationCache cache, CancellationToken cancellationToken)
    {
        if (Locales.Normalize(locale) is not { } name)
        {
            return NotALocale();
        }

        var errors = new ValidationErrors();
        TranslationValidation.CheckCatalog(entries, errors);
        if (errors.Any)
        {
            return errors.ToProblem();
        }

        var enterpriseId = http.User.EnterpriseId();
        var created = await store.PutAsync(enterpriseId, name, entries!.Value.GetRawText(), cancellationToken);
        cache.Evict(enterpriseId, name);
        var saved = (await store.FindAsync(enterpriseId, name, cancellationToken))!;
        return created ? TypedResults.Created($"/api/translations/{name}", saved) : TypedResults.Ok(saved);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string locale, HttpContext http, TranslationStore store, LocalizationCache cache, CancellationToken cancellationToken)
    {
        if (Locales.Normalize(locale) is not { } name)
        {
            return NotALocale();
        }

        var enterpriseId = http.User.EnterpriseId();
        var deleted = await store.DeleteAsync(enterpriseId, name, cancellationToken);
        cache.Evict(enterpriseId, name);
        return deleted ? TypedResults.NoContent() : Problems.NotFound($"There is no catalog for locale {name}.");
    }

    private static ProblemHttpResult NotALocale() =>
        Problems.Validation("locale", "is not a locale (a language such as 'fr', optionally with a region: 'fr-BE' or 'fr_BE').");
}
