using System.Text.Json.Nodes;
using XNovu.Core.Novu;
using XNovu.Core.Templates;
using XNovu.NovuClient;

namespace XNovu.Dispatcher.NovuSync;

/// <summary>What XNovu wants a Novu environment to hold for one of its workflows.</summary>
public sealed record DesiredWorkflow(Guid? EnterpriseId, string WorkflowKey, string Name, IReadOnlyList<NotificationChannel> Channels, bool Active)
{
    public string NovuWorkflowId => NovuNames.WorkflowId(EnterpriseId, WorkflowKey);
}

/// <summary>
/// The Novu side of an XNovu workflow: one channel step per channel, whose controls show the content the
/// dispatcher rendered (<c>{{payload.xnovu.channels.EMAIL.subject}}</c>, <c>.body</c>) and which is skipped
/// when the event carries nothing for its channel (a trigger restricted to other channels). Novu renders
/// nothing itself: sanitising and escaping were done by XNovu's template engine, so output sanitisation is off.
/// </summary>
public static class NovuWorkflowShape
{
    public const string ManagedTag = "xnovu";

    public static NovuWorkflowRequest Request(DesiredWorkflow desired) => new()
    {
        WorkflowId = desired.NovuWorkflowId,
        Name = desired.Name,
        Description = $"Managed by XNovu (workflow '{desired.WorkflowKey}'): edit it in XNovu, changes made here are repaired.",
        Tags = [ManagedTag],
        Active = desired.Active,
        Steps = desired.Channels.Select(Step).ToList(),
    };

    /// <summary>
    /// True when Novu's copy differs in what XNovu owns: the steps, their types and their controls, or (when
    /// <paramref name="includeActive"/>) the active flag.
    /// </summary>
    public static bool Differs(NovuWorkflowRequest desired, NovuWorkflowResponse actual, bool includeActive)
    {
        if ((includeActive && desired.Active != actual.Active) || desired.Steps.Count != actual.Steps.Count)
        {
            return true;
        }

        for (var i = 0; i < desired.Steps.Count; i++)
        {
            var want = desired.Steps[i];
            var have = actual.Steps[i];
            if (want.StepId != have.StepId || want.Type != have.Type
                || !JsonNode.DeepEquals(want.ControlValues, have.Controls?.Values ?? []))
            {
                return true;
            }
        }

        return false;
    }

    private static NovuStepRequest Step(NotificationChannel channel)
    {
        var wire = channel.ToWireName();
        string Value(string field) => $"{{{{payload.xnovu.channels.{wire}.{field}}}}}";
        var controls = channel switch
        {
            NotificationChannel.Email => new JsonObject
            {
                ["subject"] = Value("subject"),
                ["body"] = Value("body"),
                ["editorType"] = "html",
                ["disableOutputSanitization"] = true,
            },
            NotificationChannel.InApp => new JsonObject
            {
                ["subject"] = Value("subject"),
                ["body"] = Value("body"),
                ["disableOutputSanitization"] = true,
            },
            NotificationChannel.Push => new JsonObject { ["subject"] = Value("subject"), ["body"] = Value("body") },
            _ => new JsonObject { ["body"] = Value("body") },
        };
        controls["skip"] = new JsonObject { ["!"] = new JsonObject { ["var"] = $"payload.xnovu.channels.{wire}" } };
        var (type, name) = channel switch
        {
            NotificationChannel.Email => ("email", "Email"),
            NotificationChannel.InApp => ("in_app", "In-app"),
            NotificationChannel.Sms => ("sms", "SMS"),
            NotificationChannel.Push => ("push", "Push"),
            _ => ("chat", "Chat"),
        };
        return new NovuStepRequest { StepId = type.Replace('_', '-'), Name = name, Type = type, ControlValues = controls };
    }
}
