namespace XNovu.Core.Localization;

/// <summary>
/// How a delivery was first rendered (issue 30), kept in its <c>rendering</c> column: the locale and the published
/// versions of the templates (by key), of the email layout and of the workflow. A later attempt, or a re-send, renders with these.
/// </summary>
/// <param name="Locale">The locale the content is in; null when neither the template nor the enterprise names one.</param>
/// <param name="WorkflowVersion">The workflow's version counter when it was rendered; null for a static workflow.</param>
/// <param name="Templates">The published version of each template rendered, by key; a template without versions is absent.</param>
/// <param name="Layouts">The version of the email layout the email was rendered in, by key; absent when none (or recorded before layouts were).</param>
public sealed record DeliveryRendering(
    string? Locale, int? WorkflowVersion, IReadOnlyDictionary<string, int> Templates, IReadOnlyDictionary<string, int>? Layouts = null);
