namespace XNovu.Core.Templates;

/// <summary>
/// A stored template as the engine needs it. <see cref="UpdatedAt"/> is its version stamp: a parsed copy is
/// reused only while the stamp it was parsed from is the one the source answers.
/// </summary>
/// <param name="EnterpriseId">The owner; null for a static template shared by every enterprise.</param>
/// <param name="PayloadAtRoot">
/// Whether payload keys are also variables at the root (<c>{{ userName }}</c> beside <c>{{ payload.userName }}</c>),
/// as the original XNovu rendered them: the template's own setting, else its enterprise's default.
/// </param>
public sealed record TemplateDefinition(
    Guid? EnterpriseId,
    string TemplateKey,
    NotificationChannel Channel,
    string? SubjectTemplate,
    string BodyTemplate,
    DateTimeOffset UpdatedAt,
    bool PayloadAtRoot = false)
{
    /// <summary>The published version this is (issue 30); null for a static template or one not published since versions exist.</summary>
    public int? Version { get; init; }

    /// <summary>Per-locale variants of the subject and body, by canonical locale (<c>fr</c>, <c>fr-BE</c>); empty: none.</summary>
    public IReadOnlyDictionary<string, LocaleVariant> Locales { get; init; } = EmptyLocales;

    /// <summary>The live version of the email layout the template names (issue 30); null: none.</summary>
    public EmailLayout? Layout { get; init; }

    private static readonly IReadOnlyDictionary<string, LocaleVariant> EmptyLocales = new Dictionary<string, LocaleVariant>();
}

/// <summary>A template's text in one locale: its subject (null: the template's own) and body.</summary>
public sealed record LocaleVariant(string? Subject, string Body);

/// <summary>
/// Where the engine finds the templates that <c>{% xnovu_render %}</c> names. An implementation answers the
/// enterprise's own template of that key, or, when the enterprise has none, a static (null-enterprise) one,
/// and never another enterprise's: keys are unique per enterprise, not across them.
/// </summary>
public interface ILiquidTemplateSource
{
    Task<TemplateDefinition?> FindAsync(Guid? enterpriseId, string templateKey, CancellationToken cancellationToken);
}
