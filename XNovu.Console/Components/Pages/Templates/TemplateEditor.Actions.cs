using System.Text.Json.Nodes;
using XNovu.Console.Api;

namespace XNovu.Console.Components.Pages.Templates;

// The editor's actions: tabs, previews, save and publish.
public sealed partial class TemplateEditor : IDisposable
{
    private async Task SelectAsync(string? locale)
    {
        ActiveLocale = locale;
        PreviewLocale = string.Empty;
        await RenderPreviewAsync(CancellationToken.None);
    }

    /// <summary>A new variant starts as a copy of the template's own text, to be translated.</summary>
    private async Task AddLocaleAsync(string locale)
    {
        var name = locale.Replace('_', '-');
        if (!Variants.Exists(v => string.Equals(v.Locale, name, StringComparison.OrdinalIgnoreCase)))
        {
            Variants.Add(new Variant(name, null, Body));
        }

        await SelectAsync(Variants.Find(v => string.Equals(v.Locale, name, StringComparison.OrdinalIgnoreCase))!.Locale);
    }

    private async Task RemoveLocaleAsync(string locale)
    {
        Variants.RemoveAll(v => v.Locale == locale);
        Missing.Remove(locale);
        await SelectAsync(null);
    }

    /// <summary>What a tab renders: its subject (a variant's, else the template's own), its body, its locale.</summary>
    private (string? Subject, string Body, string? Locale) TextOf(string? tab) =>
        Variants.Find(v => v.Locale == tab) is { } variant ? (variant.Subject ?? Subject, variant.Body, variant.Locale) : (Subject, Body, null);

    /// <summary>Waits for a pause in typing, so the API renders once per pause and not once per key.</summary>
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

    /// <summary>The active tab, in the locale asked for (else its own); its missing keys mark the tab when rendered in its own locale.</summary>
    private async Task RenderPreviewAsync(CancellationToken cancellationToken)
    {
        var (subject, body, locale) = TextOf(ActiveLocale);
        var asked = string.IsNullOrWhiteSpace(PreviewLocale) ? locale : PreviewLocale.Trim();
        if (await PreviewTextAsync(subject, body, asked, cancellationToken) is not { } result)
        {
            return;
        }

        Preview = result;
        if (asked == locale)
        {
            Missing[ActiveLocale ?? string.Empty] = result.MissingKeys ?? [];
        }
    }

    /// <summary>Every tab in its own locale, for the marks of the tabs not shown.</summary>
    private async Task CheckTabsAsync(CancellationToken cancellationToken)
    {
        foreach (var tab in Tabs)
        {
            var (subject, body, locale) = TextOf(tab);
            if (await PreviewTextAsync(subject, body, locale, cancellationToken) is { } result)
            {
                Missing[tab ?? string.Empty] = result.MissingKeys ?? [];
            }
        }
    }

    private async Task<PreviewResult?> PreviewTextAsync(string? subject, string body, string? locale, CancellationToken cancellationToken)
    {
        var payload = SampleData.Parse(SamplePayload, "The sample payload", out var payloadError);
        var subscriber = SampleData.Parse(SampleSubscriber, "The sample subscriber", out var subscriberError);
        JsonError = payloadError ?? subscriberError;
        if (JsonError is not null || string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            var shown = Channels.HasSubject(ChannelType) && !string.IsNullOrEmpty(subject) ? subject : null;
            var result = await Api.PreviewAsync(new PreviewInput(ChannelType, shown, body, payload, subscriber, Locale: locale), cancellationToken);
            PreviewProblem = null;
            return result;
        }
        catch (ApiProblemException ex)
        {
            PreviewProblem = ex;
            return null;
        }
    }

    private JsonObject? LocalesJson()
    {
        if (Variants.Count == 0)
        {
            return null;
        }

        var locales = new JsonObject();
        foreach (var variant in Variants)
        {
            var text = new JsonObject { ["body"] = variant.Body };
            if (variant.Subject is not null && Channels.HasSubject(ChannelType))
            {
                text["subject"] = variant.Subject;
            }

            locales[variant.Locale] = text;
        }

        return locales;
    }

    private async Task SaveAsync()
    {
        Saved = null;
        SaveProblem = null;
        var variables = SampleData.Parse(Variables, "The variables description", out var variablesError);
        if (variablesError is not null)
        {
            SaveProblem = new ApiProblemException(400, "Not saved", variablesError, new Dictionary<string, string[]>());
            return;
        }

        try
        {
            var input = new TemplateInput(
                Key.Trim(), Name, Description, ChannelType, Channels.HasSubject(ChannelType) ? Subject : null, Body, variables,
                string.IsNullOrWhiteSpace(CategoryCode) ? null : CategoryCode, LocalesJson(),
                ChannelType == "EMAIL" && !string.IsNullOrWhiteSpace(LayoutKey) ? LayoutKey : null);
            Current = await Api.SaveTemplateAsync(input, IsNew);
            Saved = $"Saved at {DateTime.UtcNow:HH:mm:ss} UTC.";
            if (IsNew)
            {
                Navigation.NavigateTo($"templates/{Uri.EscapeDataString(Current.TemplateKey)}");
                return;
            }

            // The API names locales in one form (fr_BE is fr-BE): the tabs follow it.
            var active = ActiveLocale;
            Show(Current);
            ActiveLocale = Variants.Find(v => string.Equals(v.Locale, active?.Replace('_', '-'), StringComparison.OrdinalIgnoreCase))?.Locale;
            Missing.Clear();
            await CheckTabsAsync(CancellationToken.None);
        }
        catch (ApiProblemException ex)
        {
            SaveProblem = ex;
        }
    }

    /// <summary>A publish the API refuses for missing translation keys lists them per locale (<c>locales.fr</c>).</summary>
    private async Task SetPublishedAsync(bool published)
    {
        Saved = null;
        SaveProblem = null;
        try
        {
            Current = await Api.SetTemplatePublishedAsync(Key, published);
            Saved = published ? $"Published: version {Current.LiveVersion} is live." : "Unpublished: back to draft.";
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
