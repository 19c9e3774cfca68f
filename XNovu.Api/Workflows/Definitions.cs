using XNovu.Api.Http;
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
}

/// <summary>A change of a template's, workflow's or rule's state that needs no body.</summary>
public enum StateChange
{
    Publish,
    Unpublish,
    Deactivate,
}

internal static class StateChanges
{
    /// <summary>The fixed SQL assignment of each change: chosen here, never taken from a request.</summary>
    public static string ToAssignment(this StateChange change) => change switch
    {
        StateChange.Publish => $"publish_status = '{PublishStatuses.Publish}'",
        StateChange.Unpublish => $"publish_status = '{PublishStatuses.Draft}'",
        StateChange.Deactivate => "deactivated = true",
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };
}
