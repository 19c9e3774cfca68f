using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using XNovu.Api.Http;
using XNovu.Core.Persistence;
using XNovu.Core.Workflows;

namespace XNovu.Api.Workflows;

/// <summary>What templates and workflows share: keys, channel lists and category codes.</summary>
internal static class Definitions
{
    public static void CheckNewKey(ValidationErrors errors, string? key, string field)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            errors.Add(field, "is required.");
        }
        else if (!DefinitionKeys.IsValid(key))
        {
            errors.Add(field, DefinitionKeys.Rule);
        }
    }

    /// <summary>A key in the body of an update must be the key in the route: keys are identities, not names.</summary>
    public static void CheckSameKey(ValidationErrors errors, string? bodyKey, string routeKey, string field)
    {
        if (bodyKey is not null && bodyKey != routeKey)
        {
            errors.Add(field, $"cannot be changed (the route names '{routeKey}').");
        }
    }

    public static void CheckChannel(ValidationErrors errors, string? channel, string field)
    {
        if (string.IsNullOrWhiteSpace(channel))
        {
            errors.Add(field, "is required.");
        }
        else if (!NotificationChannels.IsKnown(channel))
        {
            errors.Add(field, $"must be one of {string.Join(", ", NotificationChannels.All)}.");
        }
    }

    /// <summary>
    /// The id of the enterprise's category with <paramref name="code"/>; an unknown code is a field error.
    /// The session's enterprise scopes the lookup, so another enterprise's category is unknown too.
    /// </summary>
    public static async Task<(long? Id, ProblemHttpResult? Problem)> ResolveCategoryAsync(TenantSession session, string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return (null, null);
        }

        var id = await session.Connection.QuerySingleOrDefaultAsync<long?>(
            "SELECT id FROM notify.typ_notification_category WHERE code = @code", new { code }, session.Transaction);
        return id is null
            ? (null, Problems.Validation("categoryCode", $"names no category of this enterprise ('{code}')."))
            : (id, null);
    }
}
