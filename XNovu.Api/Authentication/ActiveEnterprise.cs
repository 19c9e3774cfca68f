using Microsoft.AspNetCore.Authorization;

namespace XNovu.Api.Authentication;

/// <summary>
/// An enterprise key acts only while its enterprise is active: a deactivated enterprise's key is forbidden
/// everywhere (answered as the <c>enterprise-deactivated</c> problem by the key's handler).
/// </summary>
public sealed class ActiveEnterpriseRequirement : IAuthorizationRequirement;

public sealed class ActiveEnterpriseHandler : AuthorizationHandler<ActiveEnterpriseRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ActiveEnterpriseRequirement requirement)
    {
        if (context.User.HasClaim(c => c.Type == XNovuAuth.EnterpriseIdClaim)
            && !context.User.HasClaim(c => c.Type == XNovuAuth.EnterpriseDeactivatedClaim))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
