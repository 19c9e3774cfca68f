using System.Text;
using System.Text.RegularExpressions;

namespace XNovu.MigrationService;

/// <summary>A table a statement locks against the services' writes (and, for ACCESS EXCLUSIVE, reads), and how.</summary>
/// <param name="Table">As written, unquoted parts folded to lower case (<c>notify.ent_notification_delivery</c>).</param>
/// <param name="Mode">The <c>LOCK TABLE</c> mode the statement takes: <c>ACCESS EXCLUSIVE</c>, <c>SHARE ROW EXCLUSIVE</c> or <c>SHARE</c>.</param>
public readonly record struct TableLock(string Table, string Mode);

/// <summary>
/// Which existing tables a statement of a transactional script locks in a mode that stops the services' writes,
/// read from its text, so that the migrator can take those locks with <c>NOWAIT</c> first (docs/operations.md,
/// "Migrations without downtime", rule 3). A statement that queues for such a lock holds every later reader and
/// writer of the table behind it for as long as it queues; <c>LOCK TABLE … NOWAIT</c> never queues: it is granted at
/// once or refused, and a refused attempt is rolled back and tried again a moment later. PostgreSQL has no
/// <c>NOWAIT</c> for <c>ALTER TABLE</c> or <c>CREATE TRIGGER</c>, hence the explicit lock before them. Only what the
/// text shows is found (dynamic SQL in a <c>DO</c> block is not): a missed lock is taken by the statement itself,
/// under the short <c>lock_timeout</c>, as before. Hand-written: no library reads PostgreSQL DDL for its locks.
/// </summary>
public static partial class TableLocks
{
    public const string AccessExclusive = "ACCESS EXCLUSIVE";
    public const string ShareRowExclusive = "SHARE ROW EXCLUSIVE";
    public const string Share = "SHARE";

    /// <summary>The tables (and views) <paramref name="statement"/> creates: locking them is not needed.</summary>
    public static string? Creates(string statement)
    {
        var code = Code(statement);
        return CreateRelation().Match(code) is { Success: true } m ? Normalize(m.Groups["name"].Value) : null;
    }

    /// <summary>The locks <paramref name="statement"/> takes on tables that conflict with inserts and updates.</summary>
    public static IReadOnlyList<TableLock> Of(string statement)
    {
        var code = Code(statement);
        var locks = new List<TableLock>();
        void Add(string name, string mode) => locks.Add(new TableLock(Normalize(name), mode));

        if (AlterTable().Match(code) is { Success: true } alter)
        {
            // VALIDATE CONSTRAINT and the statistics settings take SHARE UPDATE EXCLUSIVE, which blocks no write.
            if (!LightAlter().IsMatch(alter.Groups["actions"].Value))
            {
                Add(alter.Groups["name"].Value, AccessExclusive);
            }
        }
        else if (CreateTrigger().Match(code) is { Success: true } trigger)
        {
            Add(trigger.Groups["name"].Value, ShareRowExclusive);
        }
        else if (DropOn().Match(code) is { Success: true } drop)
        {
            Add(drop.Groups["name"].Value, AccessExclusive);
        }
        else if (PlainIndex().Match(code) is { Success: true } index)
        {
            Add(index.Groups["name"].Value, Share);
        }
        else if (DropOrTruncate().Match(code) is { Success: true } table)
        {
            Add(table.Groups["name"].Value, AccessExclusive);
        }

        if (code.StartsWith("CREATE", StringComparison.OrdinalIgnoreCase) || code.StartsWith("ALTER", StringComparison.OrdinalIgnoreCase))
        {
            var created = Creates(statement);
            foreach (Match reference in References().Matches(code))
            {
                var name = Normalize(reference.Groups["name"].Value);
                if (name != created)
                {
                    locks.Add(new TableLock(name, ShareRowExclusive));
                }
            }
        }

        return locks;
    }

    /// <summary>
    /// <paramref name="script"/> with a <c>LOCK TABLE … NOWAIT</c> before each statement that locks a table the
    /// script did not create. A script with no such statement comes back unchanged.
    /// </summary>
    public static string WithNowaitLocks(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var created = new HashSet<string>(StringComparer.Ordinal);
        var output = new StringBuilder(script.Length + 256);
        var changed = false;
        foreach (var statement in SqlStatements.Split(script))
        {
            foreach (var (mode, tables) in Of(statement)
                         .Where(l => !created.Contains(l.Table))
                         .GroupBy(l => l.Mode)
                         .Select(g => (g.Key, g.Select(l => Quote(l.Table)).Distinct().ToList())))
            {
                output.Append("LOCK TABLE ").AppendJoin(", ", tables).Append(" IN ").Append(mode).Append(" MODE NOWAIT;\n");
                changed = true;
            }

            if (Creates(statement) is { } table)
            {
                created.Add(table);
            }

            output.Append(statement).Append(";\n");
        }

        return changed ? output.ToString() : script;
    }

    /// <summary>
    /// Whether <paramref name="message"/> is PostgreSQL's refusal of a <c>NOWAIT</c> lock (SQLSTATE 55P03, as a
    /// lock_timeout is, but refused before any wait).
    /// </summary>
    public static bool IsNowaitRefusal(string sqlState, string message) =>
        sqlState == "55P03" && message.StartsWith("could not obtain lock on relation", StringComparison.Ordinal);

    private static string Code(string statement) =>
        Whitespace().Replace(SqlStatements.CodeOnly(statement), " ").Trim();

    /// <summary><c>notify.x</c>, <c>"notify"."X"</c>: quotes removed, unquoted parts folded as PostgreSQL folds them.</summary>
    private static string Normalize(string name) =>
        string.Join('.', name.Trim().Split('.').Select(p => p.StartsWith('"') ? p.Trim('"') : p.ToLowerInvariant()));

    private static string Quote(string normalized) =>
        string.Join('.', normalized.Split('.').Select(p => "\"" + p.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));

    private const string Name = @"(?<name>(?:""[^""]+""|[A-Za-z_][\w$]*)(?:\.(?:""[^""]+""|[A-Za-z_][\w$]*))?)";

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED|MATERIALIZED|RECURSIVE)\s+)*(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex CreateRelation();

    [GeneratedRegex(@"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?" + Name + @"\s+(?<actions>.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex AlterTable();

    [GeneratedRegex(@"^(?:VALIDATE\s+CONSTRAINT\s+\S+|ALTER\s+(?:COLUMN\s+)?\S+\s+SET\s+STATISTICS\s+\S+|SET\s+\((?:[^)]*)\))\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex LightAlter();

    [GeneratedRegex(@"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+\S+\s+.*?\bON\s+(?:ONLY\s+)?" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex CreateTrigger();

    [GeneratedRegex(@"^(?:DROP\s+(?:TRIGGER|POLICY|RULE)|CREATE\s+POLICY|ALTER\s+POLICY)\s+(?:IF\s+EXISTS\s+)?\S+\s+ON\s+" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex DropOn();

    [GeneratedRegex(@"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY\b)(?:IF\s+NOT\s+EXISTS\s+)?(?:(?!ON\b)\S+\s+)?ON\s+(?:ONLY\s+)?" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex PlainIndex();

    [GeneratedRegex(@"^(?:DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?|TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?)" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex DropOrTruncate();

    [GeneratedRegex(@"\bREFERENCES\s+" + Name, RegexOptions.IgnoreCase)]
    private static partial Regex References();
}
