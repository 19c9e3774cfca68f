using XNovu.Api.Http;
using XNovu.Core.Workflows;
using XNovu.Core.Json;
using XNovu.Core.Novu;

namespace XNovu.Api.Workflows;

/// <summary>The rules a workflow must keep when written, and the stricter ones it must keep to be published.</summary>
internal static class WorkflowValidation
{
    public const string Dynamic = "DYNAMIC";
    public const string Static = "STATIC";

    /// <summary>Keys that routes under <c>/api/workflows</c> already use.</summary>
    private static readonly string[] ReservedKeys = ["stats"];

    /// <param name="routeKey">The key in the route when updating; null when creating.</param>
    public static ValidationErrors Validate(WorkflowRequest request, string? routeKey)
    {
        var errors = new ValidationErrors();
        if (routeKey is null)
        {
            Definitions.CheckNewKey(errors, request.WorkflowKey, "workflowKey");
            if (ReservedKeys.Contains(request.WorkflowKey, StringComparer.Ordinal))
            {
                errors.Add("workflowKey", $"'{request.WorkflowKey}' is reserved.");
            }
        }
        else
        {
            Definitions.CheckSameKey(errors, request.WorkflowKey, routeKey, "workflowKey");
        }

        errors.Require(request.Name, "name");
        switch (request.WorkflowType)
        {
            case null or Dynamic:
                break;
            case Static:
                errors.Add("workflowType", "STATIC workflows ship with XNovu and cannot be written through the API; use DYNAMIC.");
                break;
            default:
                errors.Add("workflowType", "must be DYNAMIC.");
                break;
        }

        var channels = request.DefaultChannels ?? [];
        for (var i = 0; i < channels.Count; i++)
        {
            Definitions.CheckChannel(errors, channels[i], $"defaultChannels[{i}]");
        }

        if (channels.Distinct(StringComparer.Ordinal).Count() != channels.Count)
        {
            errors.Add("defaultChannels", "must not name a channel twice.");
        }

        foreach (var (channel, templateKey) in request.TemplateOverrides ?? [])
        {
            if (!NotificationChannels.IsKnown(channel))
            {
                errors.Add($"templateOverrides.{channel}", $"is not a channel; use one of {string.Join(", ", NotificationChannels.All)}.");
            }
            else if (!DefinitionKeys.IsValid(templateKey))
            {
                errors.Add($"templateOverrides.{channel}", "must be a template key: " + DefinitionKeys.Rule);
            }
        }

        CheckSchema(errors, request.PayloadSchema, "payloadSchema");
        CheckSchema(errors, request.ControlSchema, "controlSchema");
        CheckNovuPayload(errors, request.NovuPayload);
        return errors;
    }

    /// <summary>The payload fields passed on to Novu: at most <see cref="NovuPayloadPaths.MaxPaths"/>, each a path by its rule.</summary>
    private static void CheckNovuPayload(ValidationErrors errors, IReadOnlyList<string>? paths)
    {
        if (paths is null)
        {
            return;
        }

        if (paths.Count > NovuPayloadPaths.MaxPaths)
        {
            errors.Add("novuPayload", $"must name at most {NovuPayloadPaths.MaxPaths} payload fields; it names {paths.Count}.");
            return;
        }

        for (var i = 0; i < paths.Count; i++)
        {
            if (NovuPayloadPaths.Problem(paths[i]) is { } problem)
            {
                errors.Add($"novuPayload[{i}]", problem);
            }
        }
    }

    /// <summary>
    /// A published workflow must be sendable: at least one channel, and for each channel a template of this
    /// enterprise that exists, is published, is not deactivated and serves that channel.
    /// </summary>
    /// <param name="templates">The enterprise's templates that <paramref name="templateOverrides"/> name, by key.</param>
    public static ValidationErrors CheckPublishable(
        IReadOnlyList<string> channels,
        IReadOnlyDictionary<string, string> templateOverrides,
        IReadOnlyDictionary<string, TemplateState> templates)
    {
        var errors = new ValidationErrors();
        if (channels.Count == 0)
        {
            errors.Add("defaultChannels", "must name at least one channel to publish the workflow.");
            return errors;
        }

        foreach (var channel in channels)
        {
            var field = $"templateOverrides.{channel}";
            if (!templateOverrides.TryGetValue(channel, out var key))
            {
                errors.Add(field, $"names no template for the channel {channel}.");
            }
            else if (!templates.TryGetValue(key, out var template))
            {
                errors.Add(field, $"template '{key}' does not exist.");
            }
            else if (template.Deactivated)
            {
                errors.Add(field, $"template '{key}' is deactivated.");
            }
            else if (template.PublishStatus != PublishStatuses.Publish)
            {
                errors.Add(field, $"template '{key}' is not published.");
            }
            else if (template.ChannelType != channel)
            {
                errors.Add(field, $"template '{key}' is a {template.ChannelType} template, not {channel}.");
            }
        }

        return errors;
    }

    private static void CheckSchema(ValidationErrors errors, System.Text.Json.JsonElement? schema, string field)
    {
        if (Jsonb.IsPresent(schema) && JsonSchemaCheck.Explain(schema!.Value) is { } problem)
        {
            errors.Add(field, problem);
        }
    }
}

/// <summary>What publishing a workflow needs to know of each template it names.</summary>
internal sealed record TemplateState(string TemplateKey, string ChannelType, string PublishStatus, bool Deactivated);
