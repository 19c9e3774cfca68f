using System.Text.Json;
using Microsoft.Extensions.Options;
using XNovu.Core.Templates;
using XNovu.Core.Workflows;

namespace XNovu.Tests.Unit.Workflows;

/// <summary>The shipped workflow files, checked without the app: they load, hold together and render.</summary>
public sealed class StaticWorkflowRegistryTests
{
    private static readonly StaticWorkflowRegistry Registry = StaticWorkflowRegistry.LoadEmbedded();

    [Fact]
    public void Shipped_files_hold_a_default_workflow_per_channel_and_a_multi_channel_one()
    {
        var keys = Registry.Workflows.Select(w => w.WorkflowKey).ToHashSet();

        Assert.Superset(
            new HashSet<string> { "default-email", "default-in-app", "default-sms", "default-push", "default-chat", "default-multi-channel" },
            keys);
        Assert.Contains(Registry.Workflows, w => w.DefaultChannels.Count > 1);
        Assert.Equal(NotificationChannels.All.Order(), Registry.Workflows.SelectMany(w => w.DefaultChannels).Distinct().Order());
    }

    [Fact]
    public async Task Every_static_template_parses_and_renders_subject_and_body_from_the_payload()
    {
        var engine = new LiquidTemplateEngine(new NoIncludes(), Options.Create(new TemplateEngineOptions()), TimeProvider.System);
        var payload = JsonSerializer.SerializeToElement(new { subject = "Invoice ready", body = "Your invoice is ready." });

        foreach (var template in Registry.Templates)
        {
            Assert.True(NotificationChannelNames.TryParse(template.ChannelType, out var channel));
            var result = await engine.RenderAsync(new RenderRequest(null, channel, template.SubjectTemplate, template.BodyTemplate, payload));

            Assert.Contains("Your invoice is ready.", result.Body, StringComparison.Ordinal);
            Assert.True(template.SubjectTemplate is null || result.Subject == "Invoice ready", template.TemplateKey);
        }
    }

    [Fact]
    public void Registry_refuses_a_workflow_whose_channel_has_no_template_of_that_channel()
    {
        var sms = new StaticTemplate("t-sms", "SMS", null, "SMS", null, "{{ payload.body }}", null);
        var workflow = new StaticWorkflow("w", "W", null, ["EMAIL"], null, null, new Dictionary<string, string> { ["EMAIL"] = "t-sms" });

        Assert.Throws<InvalidDataException>(() => new StaticWorkflowRegistry([workflow], [sms]));
    }

    private sealed class NoIncludes : ILiquidTemplateSource
    {
        public Task<TemplateDefinition?> FindAsync(Guid? enterpriseId, string templateKey, CancellationToken cancellationToken) =>
            Task.FromResult<TemplateDefinition?>(null);
    }
}
