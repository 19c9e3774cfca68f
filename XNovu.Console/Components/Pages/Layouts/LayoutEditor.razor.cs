using XNovu.Console.Api;

namespace XNovu.Console.Components.Pages.Layouts;

/// <summary>
/// The layout editor's state and calls. The preview sends the unsaved fields (<c>draft</c>) with an email template's
/// body, or a sample one, so what is typed is seen inside the email at once; saving changes the draft, publishing makes
/// it the next live version.
/// </summary>
public sealed partial class LayoutEditor : IDisposable
{
    private const string SampleBody = "<p>Hello {{ subscriber.firstName }}, this is the email's body.</p>";

    [Microsoft.AspNetCore.Components.Parameter] public string? LayoutKey { get; set; }

    private bool IsNew => LayoutKey is null;
    private bool Loaded { get; set; }
    private bool Ready { get; set; }
    private LayoutItem? Current { get; set; }
    private IReadOnlyList<LayoutVersionItem>? Versions { get; set; }
    private IReadOnlyList<TemplateItem> Templates { get; set; } = [];

    private string Key { get; set; } = string.Empty;
    private string Name { get; set; } = string.Empty;
    private string HeaderHtml { get; set; } = string.Empty;
    private string FooterHtml { get; set; } = string.Empty;
    private string? LogoUrl { get; set; }
    private string? PrimaryColor { get; set; }
    private string? BackgroundColor { get; set; }
    private string? SenderName { get; set; }
    private string SampleTemplate { get; set; } = string.Empty;
    private string SamplePayload { get; set; } = "{}";

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
            if (!IsNew)
            {
                Show(await Api.GetLayoutAsync(LayoutKey!));
                Versions = await Api.ListLayoutVersionsAsync(LayoutKey!);
                Templates = await Api.ListTemplatesAsync("EMAIL");
            }

            Loaded = true;
        }
        catch (ApiProblemException ex)
        {
            LoadProblem = ex;
        }
    }

    // Ready only once interactive, with its first preview shown.
    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (Loaded && !Ready)
        {
            await RenderPreviewAsync(CancellationToken.None);
            Ready = true;
            StateHasChanged();
        }
    }

    private void Show(LayoutItem layout)
    {
        Current = layout;
        Key = layout.LayoutKey;
        Name = layout.Name;
        HeaderHtml = layout.HeaderHtml;
        FooterHtml = layout.FooterHtml;
        LogoUrl = layout.LogoUrl;
        PrimaryColor = layout.PrimaryColor;
        BackgroundColor = layout.BackgroundColor;
        SenderName = layout.SenderName;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private LayoutInput Input() =>
        new(Key.Trim(), Name, HeaderHtml, FooterHtml, Blank(LogoUrl), Blank(PrimaryColor), Blank(BackgroundColor), Blank(SenderName));

    private void SchedulePreview()
    {
        _pending?.Cancel();
        _pending?.Dispose();
        _pending = new CancellationTokenSource();
        var token = _pending.Token;
        _ = InvokeAsync(async () =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), token);
                await RenderPreviewAsync(token);
                StateHasChanged();
            }
            catch (OperationCanceledException)
            {
                // a newer keystroke took over
            }
        });
    }

    private async Task RenderPreviewAsync(CancellationToken cancellationToken)
    {
        var payload = SampleData.Parse(SamplePayload, "The sample payload", out var error);
        JsonError = error;
        if (IsNew || JsonError is not null)
        {
            return;
        }

        try
        {
            var body = Templates.FirstOrDefault(t => t.TemplateKey == SampleTemplate)?.BodyTemplate ?? SampleBody;
            Preview = await Api.PreviewLayoutAsync(Key, new LayoutPreviewInput(body, payload, Input()), cancellationToken);
            PreviewProblem = null;
        }
        catch (ApiProblemException ex)
        {
            PreviewProblem = ex;
        }
    }

    private async Task SaveAsync()
    {
        (Saved, SaveProblem) = (null, null);
        try
        {
            var saved = await Api.SaveLayoutAsync(Input(), IsNew);
            if (IsNew)
            {
                Navigation.NavigateTo($"layouts/{Uri.EscapeDataString(saved.LayoutKey)}");
                return;
            }

            Current = saved;
            Saved = $"Saved at {DateTime.UtcNow:HH:mm:ss} UTC: the draft; publish to send it.";
        }
        catch (ApiProblemException ex)
        {
            SaveProblem = ex;
        }
    }

    private async Task PublishAsync()
    {
        (Saved, SaveProblem) = (null, null);
        try
        {
            Current = await Api.PublishLayoutAsync(Key);
            Versions = await Api.ListLayoutVersionsAsync(Key);
            Saved = $"Published: version {Current.LiveVersion} is live.";
        }
        catch (ApiProblemException ex)
        {
            SaveProblem = ex;
        }
    }

    private async Task RollbackAsync(int version)
    {
        (Saved, SaveProblem) = (null, null);
        try
        {
            Show(await Api.RollbackLayoutAsync(Key, version));
            Versions = await Api.ListLayoutVersionsAsync(Key);
            Saved = $"Rolled back to version {version}: version {Current!.LiveVersion} is live.";
            await RenderPreviewAsync(CancellationToken.None);
        }
        catch (ApiProblemException ex)
        {
            SaveProblem = ex;
        }
    }

    public void Dispose()
    {
        _pending?.Cancel();
        _pending?.Dispose();
    }
}
