using System.Text.Json.Nodes;
using XNovu.Console.Api;

namespace XNovu.Console.Components.Pages.Templates;

/// <summary>
/// The template editor's state and calls. Issue 30: the template's own text and one tab per locale variant (its subject
/// may be left empty: the template's own is used); each tab marked with the translation keys its locale's catalogs lack
/// (the API's preview lists them, as its publish check would refuse them); the preview in any locale; the layout.
/// </summary>
public sealed partial class TemplateEditor
{
    /// <summary>A locale variant as edited: the subject may be null (the template's own).</summary>
    private sealed class Variant(string locale, string? subject, string body)
    {
        public string Locale { get; } = locale;
        public string? Subject { get; set; } = subject;
        public string Body { get; set; } = body;
    }

    [Microsoft.AspNetCore.Components.Parameter] public string? TemplateKey { get; set; }

    private bool IsNew => TemplateKey is null;
    private bool Loaded { get; set; }
    private bool Ready { get; set; }
    private TemplateItem? Current { get; set; }

    private string Key { get; set; } = string.Empty;
    private string Name { get; set; } = string.Empty;
    private string? Description { get; set; }
    private string ChannelType { get; set; } = "EMAIL";
    private string? CategoryCode { get; set; }
    private string? LayoutKey { get; set; }
    private string? Subject { get; set; }
    private string Body { get; set; } = string.Empty;
    private string Variables { get; set; } = string.Empty;
    private string SamplePayload { get; set; } = "{}";
    private string SampleSubscriber { get; set; } = SampleData.Subscriber;
    private IReadOnlyList<LayoutItem> Layouts { get; set; } = [];

    private List<Variant> Variants { get; } = [];
    private string? ActiveLocale { get; set; }
    private string PreviewLocale { get; set; } = string.Empty;
    private Dictionary<string, IReadOnlyList<string>> Missing { get; } = new(StringComparer.Ordinal);
    private IReadOnlyList<string?> Tabs => [null, .. Variants.Select(v => v.Locale)];
    private Variant? Active => Variants.Find(v => v.Locale == ActiveLocale);

    /// <summary>The subject field: the tab's own (empty: the template's own subject is used).</summary>
    private string? EditSubject
    {
        get => Active is { } variant ? variant.Subject : Subject;
        set
        {
            if (Active is { } variant)
            {
                variant.Subject = string.IsNullOrEmpty(value) ? null : value;
            }
            else
            {
                Subject = value;
            }
        }
    }

    private string EditBody
    {
        get => Active?.Body ?? Body;
        set
        {
            if (Active is { } variant)
            {
                variant.Body = value;
            }
            else
            {
                Body = value;
            }
        }
    }

    private PreviewResult? Preview { get; set; }
    private string? JsonError { get; set; }
    private string? Saved { get; set; }
    private ApiProblemException? LoadProblem { get; set; }
    private ApiProblemException? PreviewProblem { get; set; }
    private ApiProblemException? SaveProblem { get; set; }
    private CancellationTokenSource? _pending;

    protected override async Task OnInitializedAsync()
    {
        try
        {
            JsonNode? variables = null;
            if (!IsNew)
            {
                Current = await Api.GetTemplateAsync(TemplateKey!);
                Show(Current);
                variables = Current.VariablesDescription;
            }

            Layouts = await Api.ListLayoutsAsync();
            // The workflow that sends this template describes its payload when the template does not.
            var workflows = await Api.ListWorkflowsAsync();
            var schema = workflows.FirstOrDefault(w => w.TemplateOverrides.Values.Contains(Key) && w.PayloadSchema is not null)?.PayloadSchema;
            SamplePayload = SampleData.Payload(variables, schema);
            Loaded = true;
        }
        catch (ApiProblemException ex)
        {
            LoadProblem = ex;
        }
    }

    // Not only the first render: the first comes before the API has answered.
    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (Loaded && !Ready)
        {
            await CheckTabsAsync(CancellationToken.None);
            await RenderPreviewAsync(CancellationToken.None);
            Ready = true;
            StateHasChanged();
        }
    }

    private void Show(TemplateItem template)
    {
        Key = template.TemplateKey;
        Name = template.Name;
        Description = template.Description;
        ChannelType = template.ChannelType;
        CategoryCode = template.CategoryCode;
        LayoutKey = template.LayoutKey;
        Subject = template.SubjectTemplate;
        Body = template.BodyTemplate;
        Variables = SampleData.Format(template.VariablesDescription);
        Variants.Clear();
        foreach (var (locale, variant) in template.Locales ?? new JsonObject())
        {
            Variants.Add(new Variant(locale, (string?)variant?["subject"], (string?)variant?["body"] ?? string.Empty));
        }
    }
}
