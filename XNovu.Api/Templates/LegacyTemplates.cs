using XNovu.Api.Http;
using XNovu.Core.Templates;

namespace XNovu.Api.Templates;

/// <summary>
/// Templates written for the original XNovu: its function-call include is rewritten to our tag before the
/// Liquid is checked and stored, and the answer says so; an include the tag cannot express is refused.
/// </summary>
internal static class LegacyTemplates
{
    /// <summary>The request with its subject and body rewritten, and a note per rewritten field.</summary>
    public static (TemplateRequest Request, IReadOnlyList<string> Notes) Rewrite(TemplateRequest request, ValidationErrors errors)
    {
        var notes = new List<string>();
        var subject = Rewrite(request.SubjectTemplate, "subjectTemplate", errors, notes);
        var body = Rewrite(request.BodyTemplate, "bodyTemplate", errors, notes);
        return (request with { SubjectTemplate = subject, BodyTemplate = body }, notes);
    }

    public static string? Rewrite(string? liquid, string field, ValidationErrors errors, List<string> notes)
    {
        if (liquid is null)
        {
            return null;
        }

        var result = LegacyIncludeSyntax.Rewrite(liquid);
        foreach (var unconverted in result.Unconverted)
        {
            errors.Add(field, $"uses the original XNovu's include syntax in a form that cannot be converted: {unconverted}.");
        }

        if (result.Changed)
        {
            notes.Add($"{field}: {result.Rewritten} include(s) in the original XNovu's syntax {{{{ xnovu_render('key', {{...}}) }}}} "
                + "were rewritten to {% xnovu_render \"key\", name: value %}.");
        }

        return result.Liquid;
    }
}
