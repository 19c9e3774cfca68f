using System.Security.Claims;
using System.Text.Encodings.Web;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using XNovu.Api.Http;
using XNovu.Core.Persistence;

namespace XNovu.Api.Authentication;

public static class XNovuAuth
{
    public const string AdminScheme = "AdminKey";
    public const string EnterpriseScheme = "EnterpriseKey";
    public const string AdminPolicy = "admin";
    public const string EnterprisePolicy = "enterprise";
    public const string EnterpriseIdClaim = "xnovu:enterprise_id";
    public const string ApiKeyIdClaim = "xnovu:api_key_id";

    /// <summary>Present on a valid key of a deactivated enterprise: it authenticates, and is then forbidden.</summary>
    public const string EnterpriseDeactivatedClaim = "xnovu:enterprise_deactivated";

    public static Guid EnterpriseId(this ClaimsPrincipal user) =>
        Guid.Parse(user.FindFirstValue(EnterpriseIdClaim)
            ?? throw new InvalidOperationException("The request is not authenticated with an enterprise key."));

    public static IHostApplicationBuilder AddXNovuAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminKeyOptions>()
            .Bind(builder.Configuration.GetSection("XNovu"))
            .Validate(o => !string.IsNullOrWhiteSpace(o.AdminKey) && o.AdminKey.Length >= 12, "XNovu:AdminKey must be set (at least 12 characters).")
            .ValidateOnStart();
        builder.Services.AddMemoryCache();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, AdminKeyHandler>(AdminScheme, null)
            .AddScheme<AuthenticationSchemeOptions, EnterpriseKeyHandler>(EnterpriseScheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.AddAuthenticationSchemes(AdminScheme).RequireAuthenticatedUser())
            .AddPolicy(EnterprisePolicy, policy => policy
                .AddAuthenticationSchemes(EnterpriseScheme)
                .RequireClaim(EnterpriseIdClaim)
                .AddRequirements(new EnterpriseScopeRequirement(), new ActiveEnterpriseRequirement()));
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, EnterpriseScopeHandler>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, ActiveEnterpriseHandler>();
        return builder;
    }

    internal static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}

public sealed class AdminKeyOptions
{
    public string AdminKey { get; set; } = string.Empty;
}

/// <summary>Shared challenge and forbid answers: problem details, never an empty body.</summary>
public abstract class ProblemAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected abstract string ChallengeDetail { get; }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status401Unauthorized, Problems.Types.Unauthorized, "Unauthorized", ChallengeDetail);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Context.User.HasClaim(c => c.Type == XNovuAuth.EnterpriseDeactivatedClaim)
            ? WriteProblemAsync(StatusCodes.Status403Forbidden, Problems.Types.EnterpriseDeactivated, "Enterprise deactivated",
                "This key's enterprise is deactivated: its triggers, events and management calls are refused until the admin reactivates it.")
            : WriteProblemAsync(StatusCodes.Status403Forbidden, Problems.Types.Forbidden, "Forbidden", "This key may not do that.");

    private async Task WriteProblemAsync(int status, string type, string title, string detail)
    {
        Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
        }

        var problems = Context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}

public sealed class AdminKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<AdminKeyOptions> admin)
    : ProblemAuthenticationHandler(options, logger, encoder)
{
    protected override string ChallengeDetail => "Send the admin key as 'Authorization: Bearer <key>'.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = XNovuAuth.BearerToken(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!ApiKeys.SecretEquals(presented, admin.Value.AdminKey))
        {
            return Task.FromResult(AuthenticateResult.Fail("Invalid admin key."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, "admin")], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}

/// <summary>
/// Resolves an enterprise key through the one SECURITY DEFINER lookup and caches the answer briefly,
/// so a busy client does not pay a database round trip per request. A revoked key stops working within
/// <see cref="CacheFor"/> on every replica; an expiring key (a console session's) at its instant, since the
/// expiry is cached with the key and compared with the clock on every call.
/// </summary>
public sealed class EnterpriseKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    IMemoryCache cache,
    TimeProvider time)
    : ProblemAuthenticationHandler(options, logger, encoder)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    protected override string ChallengeDetail => "Send an enterprise API key as 'Authorization: Bearer <key>'.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = XNovuAuth.BearerToken(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (!ApiKeys.TryGetPrefix(presented, out var prefix))
        {
            return AuthenticateResult.Fail("Malformed API key.");
        }

        var found = await cache.GetOrCreateAsync($"apikey:{prefix}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return await keys.FindByPrefixAsync(prefix, Context.RequestAborted);
        });

        if (found is null || !found.WorksAt(time.GetUtcNow()) || !ApiKeys.Matches(presented, found.KeyHash))
        {
            return AuthenticateResult.Fail("Unknown, revoked or expired API key.");
        }

        // A deactivated enterprise's key is still its key: it is told so (403), not that it is unknown (401).
        var identity = new ClaimsIdentity(
            [
                new Claim(XNovuAuth.EnterpriseIdClaim, found.EnterpriseId.ToString()),
                new Claim(XNovuAuth.ApiKeyIdClaim, found.Id.ToString()),
                .. found.EnterpriseDeactivated ? [new Claim(XNovuAuth.EnterpriseDeactivatedClaim, "true")] : Array.Empty<Claim>(),
            ],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    internal static void Forget(IMemoryCache cache, string prefix) => cache.Remove($"apikey:{prefix}");
}
