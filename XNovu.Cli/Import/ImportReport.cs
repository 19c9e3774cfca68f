using System.Text.Json.Serialization;

namespace XNovu.Cli.Import;

[JsonConverter(typeof(JsonStringEnumConverter<ImportAction>))]
internal enum ImportAction
{
    Create,
    Update,
    Unchanged,
    Publish,
    Deactivate,
    Skip,
    Unconverted,
    Failed,

    /// <summary>Done, with something the operator should know (a derived code, a rule left a draft).</summary>
    Note,
}

/// <summary>One line of the report: what was (or, in a dry run, would be) done to one definition, and why.</summary>
internal sealed record ImportEntry(ImportAction Action, string Kind, string Name, string? Detail = null)
{
    public static ImportEntry Skip(string kind, string name, string why) => new(ImportAction.Skip, kind, name, why);

    public static ImportEntry Note(string kind, string name, string what) => new(ImportAction.Note, kind, name, what);

    public static ImportEntry Unconverted(string kind, string name, string what) => new(ImportAction.Unconverted, kind, name, what);

    public override string ToString() =>
        $"{Action.ToString().ToLowerInvariant(),-11} {Kind,-9} {Name}{(Detail is null ? string.Empty : $": {Detail}")}";
}

internal sealed record ImportReport(bool DryRun, Guid SourceEnterpriseId, IReadOnlyList<ImportEntry> Entries)
{
    /// <summary>Whether anything could not be converted or was refused: the command then exits 2.</summary>
    public bool Incomplete => Entries.Any(e => e.Action is ImportAction.Unconverted or ImportAction.Failed);

    public IReadOnlyDictionary<string, int> Counts =>
        Entries.GroupBy(e => e.Action.ToString().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count());
}
