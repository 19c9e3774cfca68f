using System.Text.Json;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace XNovu.Api.Versions;

/// <summary>Line diffs between two versions' fields (DiffPlex), the one place a diff is made.</summary>
internal static class TextDiff
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IReadOnlyList<FieldDiff> Compare(IEnumerable<(string Field, string Text)> from, IEnumerable<(string Field, string Text)> to)
    {
        var before = from.ToDictionary(f => f.Field, f => f.Text, StringComparer.Ordinal);
        var after = to.ToDictionary(f => f.Field, f => f.Text, StringComparer.Ordinal);
        var diffs = new List<FieldDiff>();
        foreach (var field in before.Keys.Union(after.Keys, StringComparer.Ordinal))
        {
            var old = before.GetValueOrDefault(field) ?? string.Empty;
            var now = after.GetValueOrDefault(field) ?? string.Empty;
            if (string.Equals(old, now, StringComparison.Ordinal))
            {
                continue;
            }

            var model = InlineDiffBuilder.Diff(old, now, ignoreWhiteSpace: false, ignoreCase: false);
            diffs.Add(new FieldDiff(field, model.Lines.Select(line => new DiffLine(line.Type switch
            {
                ChangeType.Inserted => "added",
                ChangeType.Deleted => "removed",
                _ => "same",
            }, line.Text)).ToList()));
        }

        return diffs;
    }

    /// <summary>JSON indented one property a line, so that a diff shows the property that changed.</summary>
    public static string Pretty(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return string.Empty;
        }

        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement, Indented);
    }
}
