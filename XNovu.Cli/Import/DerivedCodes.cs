using System.Globalization;
using System.Text;

namespace XNovu.Cli.Import;

/// <summary>
/// Every category and priority needs a code in XNovu (the key a template, workflow or trigger names it by); the
/// original's may be null. A missing code is derived from the category's ltree path (<c>safety.fire</c> becomes
/// <c>safety-fire</c>), else from the name (<c>Duty Roster</c> becomes <c>duty-roster</c>), suffixed with the
/// original id when another row of the enterprise already has it. Each derived code is reported as a note, so the
/// operator knows the name to use.
/// </summary>
internal static class DerivedCodes
{
    private const int MaxLength = 100;

    /// <summary>Every row's code, given or derived, by the original's id.</summary>
    public static Dictionary<long, string> For(IReadOnlyList<OriginalLookup> rows, string noun, List<ImportEntry> notes)
    {
        var codes = new Dictionary<long, string>();
        var taken = new HashSet<string>(rows.Where(r => !string.IsNullOrWhiteSpace(r.Code)).Select(r => r.Code!), StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (!string.IsNullOrWhiteSpace(row.Code))
            {
                codes[row.Id] = row.Code;
                continue;
            }

            var from = string.IsNullOrWhiteSpace(row.Path) ? "name" : "path";
            var code = Slug(string.IsNullOrWhiteSpace(row.Path) ? row.Name : row.Path);
            if (code.Length == 0 || !taken.Add(code))
            {
                code = Trim(code.Length == 0 ? noun : code, $"-{row.Id.ToString(CultureInfo.InvariantCulture)}");
                taken.Add(code);
            }

            codes[row.Id] = code;
            notes.Add(ImportEntry.Note(noun, code, $"the original's {noun} {row.Id} ('{row.Name}') has no code: '{code}' was derived from its {from}"));
        }

        return codes;
    }

    /// <summary>Lower-case letters and digits; any run of other characters (an ltree dot, a space) one hyphen.</summary>
    public static string Slug(string text)
    {
        var slug = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormKC).ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        return Trim(slug.ToString().Trim('-'), string.Empty);
    }

    private static string Trim(string code, string suffix) =>
        (code.Length + suffix.Length > MaxLength ? code[..(MaxLength - suffix.Length)] : code) + suffix;
}
