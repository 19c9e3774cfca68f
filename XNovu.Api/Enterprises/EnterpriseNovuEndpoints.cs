using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Authentication;
using XNovu.Api.Http;
using XNovu.Core.Novu;

namespace XNovu.Api.Enterprises;

/// <param name="ApiUrl">The Novu API: <c>https://api.novu.co</c> (US), <c>https://eu.api.novu.co</c> (EU) or a self-hosted one.</param>
/// <param name="SecretKey">The Novu environment's secret key (dashboard, API Keys). Stored encrypted, never returned.</param>
public sealed record EnterpriseNovuRequest(string? ApiUrl, string? SecretKey);

/// <param name="Environment"><c>own</c> when the enterprise delivers through its own Novu environment, else <c>shared</c>.</param>
/// <param name="ApiUrl">The Novu API its deliveries go to (the shared one's without credentials).</param>
/// <param name="SecretKeySet">Whether a secret key of its own is stored; the key itself is never shown.</param>
public sealed record EnterpriseNovuResponse(Guid EnterpriseId, string Environment, string ApiUrl, bool SecretKeySet, DateTimeOffset? UpdatedAt);

/// <summary>
/// <c>GET</c>, <c>PUT</c> and <c>DELETE /api/admin/enterprises/{id}/novu</c>: bring your own Novu. With its own
/// environment, an enterprise's workflows are synced there and its deliveries go there, paced on their own;
/// <c>DELETE</c> goes back to the shared environment. The key is encrypted with Data Protection before it is
/// stored, and no answer or log line carries it.
/// </summary>
public static class EnterpriseNovuEndpoints
{
    public const string OwnEnvironment = "own";
    public const string SharedEnvironment = "shared";
    public const int MaxApiUrlLength = 2000;
    public const int MaxSecretKeyLength = 500;

    public static RouteGroupBuilder MapEnterpriseNovuEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/enterprises/{id:guid}/novu")
            .WithTags("Admin: enterprises")
            .RequireAuthorization(XNovuAuth.AdminPolicy);
        group.MapGet("/", GetAsync);
        group.MapPut("/", PutAsync);
        group.MapDelete("/", DeleteAsync);
        return group;
    }

    private static async Task<Results<Ok<EnterpriseNovuResponse>, ProblemHttpResult>> GetAsync(
        Guid id, EnterpriseNovuStore store, NovuEnvironments environments, CancellationToken cancellationToken)
    {
        var (exists, own) = await store.GetAsync(id, cancellationToken);
        if (!exists)
        {
            return NotFound(id);
        }

        return TypedResults.Ok(own is null
            ? new EnterpriseNovuResponse(id, SharedEnvironment, environments.Shared.DisplayUrl, false, null)
            : Own(id, own));
    }

    private static async Task<Results<Ok<EnterpriseNovuResponse>, ProblemHttpResult>> PutAsync(
        Guid id, EnterpriseNovuRequest request, EnterpriseNovuStore store, NovuEnvironments environments, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var apiUrl = ValidApiUrl(request.ApiUrl, errors);
        var secretKey = request.SecretKey?.Trim();
        if (string.IsNullOrEmpty(secretKey))
        {
            errors.Add("secretKey", "is required.");
        }
        else if (secretKey.Length > MaxSecretKeyLength)
        {
            errors.Add("secretKey", $"must be at most {MaxSecretKeyLength} characters.");
        }
        else if (secretKey.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c > '\u007e'))
        {
            // It travels in an HTTP header (Authorization: ApiKey <key>): printable ASCII only, as Novu issues them.
            errors.Add("secretKey", "must be printable ASCII without spaces.");
        }

        if (errors.Any || apiUrl is null || secretKey is null)
        {
            return errors.ToProblem();
        }

        var stored = await store.SetAsync(id, apiUrl, environments.Protect(secretKey), cancellationToken);
        if (stored is null)
        {
            return NotFound(id);
        }

        // This process at once; the dispatchers through the write's NOTIFY, other API replicas within their refresh.
        environments.Invalidate();
        return TypedResults.Ok(Own(id, stored));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, EnterpriseNovuStore store, NovuEnvironments environments, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(id, cancellationToken))
        {
            return NotFound(id);
        }

        environments.Invalidate();
        return TypedResults.NoContent();
    }

    /// <summary>An absolute http(s) URL without credentials, query or fragment, normalised without a trailing slash.</summary>
    private static string? ValidApiUrl(string? value, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add("apiUrl", "is required.");
            return null;
        }

        if (value.Length > MaxApiUrlLength)
        {
            errors.Add("apiUrl", $"must be at most {MaxApiUrlLength} characters.");
            return null;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(url.Host))
        {
            errors.Add("apiUrl", "must be an absolute http or https URL, such as https://api.novu.co.");
            return null;
        }

        if (url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            errors.Add("apiUrl", "must not carry credentials, a query or a fragment: the secret key goes in secretKey.");
            return null;
        }

        return url.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    private static EnterpriseNovuResponse Own(Guid id, EnterpriseNovuRow row) =>
        new(id, OwnEnvironment, row.ApiUrl, true, new DateTimeOffset(DateTime.SpecifyKind(row.UpdatedAt, DateTimeKind.Utc)));

    private static ProblemHttpResult NotFound(Guid id) => Problems.NotFound($"Enterprise {id} was not found.");
}
