namespace XNovu.Core.Validation;

/// <summary>
/// The longest value each kind of stored field may hold, defined once for every endpoint. Longer is a 422
/// naming the field. The database's own CHECKs (names 1 to 200, codes 1 to 100) are the last line behind these.
/// </summary>
public static class FieldLimits
{
    /// <summary>Display names: enterprises, keys, templates, workflows, rules, categories, priorities, events.</summary>
    public const int NameChars = 200;

    public const int DescriptionChars = 2_000;

    /// <summary>Identifiers chosen by a tenant: template and workflow keys, category and priority codes.</summary>
    public const int KeyChars = 100;

    /// <summary>A Liquid subject or body: generous for real e-mails, far below what would strain the parser.</summary>
    public const int TemplateChars = 256 * 1024;

    /// <summary>Subscriber ids, transaction ids, idempotency keys: Novu's own limit is of this order.</summary>
    public const int IdentifierChars = 255;

    /// <summary>
    /// The limit of a bound request property by its name, or null when the property has none here: names say
    /// which kind of field a property is (<c>Name</c>, <c>Description</c>, <c>…Key</c>/<c>…Code</c>,
    /// <c>…Template</c>), so each request record need not repeat it.
    /// </summary>
    public static int? ForProperty(string propertyName) => propertyName switch
    {
        "Name" => NameChars,
        "Description" => DescriptionChars,
        _ when propertyName.EndsWith("Template", StringComparison.Ordinal) => TemplateChars,
        _ when propertyName.EndsWith("Key", StringComparison.Ordinal) || propertyName.EndsWith("Code", StringComparison.Ordinal) => KeyChars,
        _ => null,
    };
}
