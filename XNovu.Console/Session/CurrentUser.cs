using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace XNovu.Console.Session;

/// <summary>
/// The signed-in user wherever the console runs code: in an interactive circuit the authentication state is the
/// only source (there is no request); in a page render or an endpoint it is the request's user.
/// </summary>
public sealed class CurrentUser(AuthenticationStateProvider authentication, IHttpContextAccessor httpContext)
{
    public async Task<ClaimsPrincipal> GetAsync()
    {
        if (httpContext.HttpContext?.User is { Identity.IsAuthenticated: true } requestUser)
        {
            return requestUser;
        }

        try
        {
            return (await authentication.GetAuthenticationStateAsync()).User;
        }
        catch (InvalidOperationException)
        {
            // Outside both a request and a circuit: nobody is signed in.
            return new ClaimsPrincipal(new ClaimsIdentity());
        }
    }
}
