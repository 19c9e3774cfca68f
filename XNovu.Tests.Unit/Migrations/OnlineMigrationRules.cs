using System.Text.RegularExpressions;
using XNovu.MigrationService;

namespace XNovu.Tests.Unit.Migrations;

/// <summary>One statement of a migration script that breaks a rule of "Migrations without downtime".</summary>
/// <param name="Script">The script's file name without <c>.sql</c> (<c>0026_due_deliveries_in_claim_order</c>).</param>
/// <param name="Rule">One of <see cref="OnlineMigrationRules"/>' rule names.</param>
/// <param name="Subject">The table or index the statement touches.</param>
internal sealed record Violation(string Script, string Rule, string Subject, string Statement)
{
    public override string ToString() => $"{Script}: {Rule} on {Subject}: {Statement}";
}

/// <summary>
/// The rules of docs/operations.md, "Migrations without downtime", read from the scripts' text: what a numbered
/// script may do to a <see cref="HotTables">hot table</see> while the services write to it. A rule here is what the
/// text shows; what it cannot show (dynamic SQL in a <c>DO</c> block, whether a dropped column is still read by the
/// running release) is the review's.
/// </summary>
internal static partial class OnlineMigrationRules
{
    public const string IndexWithoutConcurrently = "index-without-concurrently";
    public const string DropIndexWithoutConcurrently = "drop-index-without-concurrently";
    public const string ConcurrentlyInTransaction = "concurrently-in-a-transaction";
    public const string NotRepeatable = "no-transaction-statement-not-repeatable";
    public const string VolatileDefault = "column-with-volatile-default";
    public const string ConstraintValidatedUnderLock = "constraint-validated-under-lock";
    public const string NotNullWithoutValidatedCheck = "set-not-null-without-validated-check";
    public const string ColumnTypeChange = "column-type-change";
    public const string TableRewrite = "table-rewrite-or-lock";
    public const string UnbatchedBackfill = "unbatched-update-or-delete";
    public const string Rename = "rename";
    public const string HotLockHeld = "hot-table-lock-held-across-script";

    /// <summary>
    /// Tables that grow with traffic or are written on the trigger path: a lock on one stops triggers or dispatch, and
    /// anything that reads every row takes as long as the table is large. A table created in the same script is not
    /// hot yet (it is empty and nothing uses it).
    /// </summary>
    public static readonly IReadOnlySet<string> HotTables = new HashSet<string>(StringComparer.Ordinal)
    {
        "ent_notification", "ent_notification_delivery", "idempotency_key", "rule_tick", "subscriber", "topic_subscriber",
    };

    /// <summary>Functions a column default may call without rewriting the table: none is volatile, so PostgreSQL stores the value once.</summary>
    private static readonly HashSet<string> NonVolatileFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "now", "transaction_timestamp", "statement_timestamp", "current_setting", "jsonb_build_object", "jsonb_build_array",
        "json_build_object", "json_build_array", "array", "make_interval", "interval", "numeric", "varchar", "char",
        "timestamp", "timestamptz", "time", "bit", "coalesce", "lower", "upper",
    };

    /// <summary>Every violation in <paramref name="scripts"/>, read in name order (an index's table is known from the script that made it).</summary>
    public static IReadOnlyList<Violation> Check(IEnumerable<(string Name, string Text)> scripts)
    {
        var state = new State();
        var violations = new List<Violation>();
        foreach (var (name, text) in scripts.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            violations.AddRange(CheckScript(name, text, state));
        }

        return violations;
    }

    private sealed class State
    {
        /// <summary>Index name to its table, from every CREATE INDEX read so far.</summary>
        public Dictionary<string, string> IndexTables { get; } = new(StringComparer.Ordinal);

        /// <summary>Constraint name to the (table, column) its <c>CHECK (column IS NOT NULL) NOT VALID</c> is about.</summary>
        public Dictionary<string, (string Table, string Column)> NotNullChecks { get; } = new(StringComparer.Ordinal);

        /// <summary>(table, column) pairs a validated check proves not null.</summary>
        public HashSet<(string Table, string Column)> ProvenNotNull { get; } = [];
    }

    private static IEnumerable<Violation> CheckScript(string script, string text, State state)
    {
        var outside = DatabaseMigrator.RunsOutsideTransaction(text);
        var createdHere = new HashSet<string>(StringComparer.Ordinal);
        var droppedFirst = new HashSet<string>(StringComparer.Ordinal);
        string? held = null;
        var relationsCreatedHere = new HashSet<string>(StringComparer.Ordinal);
        var statements = SqlStatements.Split(text).ToList();
        var afterExplicitLock = false;
        for (var position = 0; position < statements.Count; position++)
        {
            var statement = statements[position];
            var code = Whitespace().Replace(SqlStatements.CodeOnly(statement), " ").Trim();
            var shown = code.Length > 160 ? code[..160] + "…" : code;
            Violation Broken(string rule, string subject) => new(script, rule, subject, shown);
            bool Hot(string table) => HotTables.Contains(table) && !createdHere.Contains(table);

            // A query whose rows are the statements to run (DatabaseMigrator.EachRowMarker): what it generates is
            // dynamic SQL, the review's, like a DO block's; the query itself only reads.
            var eachRow = outside && DatabaseMigrator.IsEachRow(statement) && code.StartsWith("SELECT ", StringComparison.OrdinalIgnoreCase);
            if (outside && !eachRow && Repeatable(code, droppedFirst) is { } notRepeatable)
            {
                yield return Broken(NotRepeatable, notRepeatable);
            }

            if (!outside && code.Contains("CONCURRENTLY", StringComparison.OrdinalIgnoreCase))
            {
                yield return Broken(ConcurrentlyInTransaction, "script");
            }

            // A lock on a hot table is held until the script commits: once one is taken, only statements that take
            // such locks themselves (or grants) may follow, so the lock lasts the commit, not the rest of the script.
            var locks = outside ? [] : TableLocks.Of(statement).Where(l => !relationsCreatedHere.Contains(l.Table)).ToList();
            // The one exception: the script's last statement, a DO block right after an explicit LOCK ... NOWAIT (the
            // migrator cannot read a DO block's tables, so the script names them): the lock lasts the block and the commit.
            var lastBlockAfterLock = afterExplicitLock && position == statements.Count - 1 && code.StartsWith("DO ", StringComparison.OrdinalIgnoreCase);
            if (held is not null && locks.Count == 0 && !lastBlockAfterLock
                && !Regex.IsMatch(code, @"^(GRANT|REVOKE|COMMENT|LOCK)\b", RegexOptions.IgnoreCase))
            {
                yield return Broken(HotLockHeld, held);
            }

            afterExplicitLock = Regex.IsMatch(code, @"^LOCK\b.*\bNOWAIT$", RegexOptions.IgnoreCase);

            held ??= locks.Select(l => Name(l.Table)).FirstOrDefault(Hot);
            if (TableLocks.Creates(statement) is { } relation)
            {
                relationsCreatedHere.Add(relation);
            }

            if (CreateTable().Match(code) is { Success: true } created)
            {
                createdHere.Add(Name(created.Groups["table"].Value));
            }
            else if (CreateIndex().Match(code) is { Success: true } index)
            {
                var table = Name(index.Groups["table"].Value);
                if (index.Groups["name"].Success)
                {
                    state.IndexTables[Name(index.Groups["name"].Value)] = table;
                }

                if (Hot(table) && !index.Groups["concurrently"].Success)
                {
                    yield return Broken(IndexWithoutConcurrently, table);
                }
            }
            else if (DropIndex().Match(code) is { Success: true } drop)
            {
                foreach (var dropped in drop.Groups["names"].Value.Split(',').Select(Name))
                {
                    if (state.IndexTables.TryGetValue(dropped, out var table) && Hot(table) && !drop.Groups["concurrently"].Success)
                    {
                        yield return Broken(DropIndexWithoutConcurrently, dropped);
                    }
                }
            }
            else if (Reindex().Match(code) is { Success: true } reindex && !reindex.Groups["concurrently"].Success)
            {
                var target = Name(reindex.Groups["name"].Value);
                var table = reindex.Groups["kind"].Value.Equals("INDEX", StringComparison.OrdinalIgnoreCase)
                    ? state.IndexTables.GetValueOrDefault(target, target)
                    : target;
                if (Hot(table))
                {
                    yield return Broken(TableRewrite, target);
                }
            }
            else if (AlterTable().Match(code) is { Success: true } alter)
            {
                var table = Name(alter.Groups["table"].Value);
                foreach (var action in TopLevel(alter.Groups["actions"].Value, ','))
                {
                    foreach (var rule in CheckAlterAction(table, action.Trim(), Hot(table), state))
                    {
                        yield return Broken(rule, table);
                    }
                }
            }
            else if (Backfill().Match(code) is { Success: true } backfill && Hot(Name(backfill.Groups["table"].Value)))
            {
                yield return Broken(UnbatchedBackfill, Name(backfill.Groups["table"].Value));
            }
            else if (RewriteOrLock().Match(code) is { Success: true } rewrite && Hot(Name(rewrite.Groups["table"].Value))
                     && !Regex.IsMatch(code, @"^LOCK\b.*\bNOWAIT$", RegexOptions.IgnoreCase))
            {
                yield return Broken(TableRewrite, Name(rewrite.Groups["table"].Value));
            }
        }
    }

    private static IEnumerable<string> CheckAlterAction(string table, string action, bool hot, State state)
    {
        if (RenameAction().IsMatch(action))
        {
            // Renaming breaks the running release whatever the table's size: add the new, copy, drop the old later.
            yield return Rename;
            yield break;
        }

        if (AddConstraintAction().Match(action) is { Success: true } constraint)
        {
            if (NotNullCheck().Match(constraint.Groups["body"].Value) is { Success: true } notNull && constraint.Groups["name"].Success)
            {
                state.NotNullChecks[Name(constraint.Groups["name"].Value)] = (table, Name(notNull.Groups["column"].Value));
            }

            var body = constraint.Groups["body"].Value;
            var validatesNow = Regex.IsMatch(body, @"^\s*(CHECK|FOREIGN\s+KEY)\b", RegexOptions.IgnoreCase)
                ? !Regex.IsMatch(body, @"\bNOT\s+VALID\s*$", RegexOptions.IgnoreCase)
                : !Regex.IsMatch(body, @"\bUSING\s+INDEX\b", RegexOptions.IgnoreCase); // UNIQUE, PRIMARY KEY, EXCLUDE build an index
            if (hot && validatesNow)
            {
                yield return ConstraintValidatedUnderLock;
            }

            yield break;
        }

        if (ValidateAction().Match(action) is { Success: true } validate
            && state.NotNullChecks.TryGetValue(Name(validate.Groups["name"].Value), out var proven))
        {
            state.ProvenNotNull.Add(proven);
            yield break;
        }

        if (!hot)
        {
            yield break;
        }

        if (AddColumnAction().Match(action) is { Success: true } column)
        {
            var definition = column.Groups["definition"].Value;
            if (VolatileDefinition(definition))
            {
                yield return VolatileDefault;
            }

            if (Regex.IsMatch(definition, @"\b(CHECK|REFERENCES|UNIQUE|PRIMARY\s+KEY)\b", RegexOptions.IgnoreCase))
            {
                yield return ConstraintValidatedUnderLock;
            }
        }
        else if (SetNotNullAction().Match(action) is { Success: true } setNotNull
                 && !state.ProvenNotNull.Contains((table, Name(setNotNull.Groups["column"].Value))))
        {
            yield return NotNullWithoutValidatedCheck;
        }
        else if (TypeChangeAction().IsMatch(action))
        {
            yield return ColumnTypeChange;
        }
        else if (Regex.IsMatch(action, @"^(SET\s+(TABLESPACE|LOGGED|UNLOGGED|ACCESS\s+METHOD)|CLUSTER\s+ON)\b", RegexOptions.IgnoreCase))
        {
            yield return TableRewrite;
        }
    }

    /// <summary>
    /// A column definition whose value PostgreSQL must compute for every existing row, rewriting the table under an
    /// ACCESS EXCLUSIVE lock: a volatile default (or one it cannot tell is not), an identity, a serial, a stored
    /// generated column.
    /// </summary>
    private static bool VolatileDefinition(string definition)
    {
        if (Regex.IsMatch(definition, @"^\S+\s*\b(small|big)?serial\b|\bGENERATED\b", RegexOptions.IgnoreCase))
        {
            return true;
        }

        var defaultValue = Regex.Match(definition, @"\bDEFAULT\s+(?<value>.+?)(\s+(NOT\s+NULL|NULL|CHECK|REFERENCES|UNIQUE|PRIMARY|CONSTRAINT|COLLATE)\b|$)", RegexOptions.IgnoreCase);
        return defaultValue.Success
            && FunctionCall().Matches(defaultValue.Groups["value"].Value).Any(call => !NonVolatileFunctions.Contains(call.Groups["function"].Value));
    }

    /// <summary>
    /// Null when the statement may run again after a failed run of its no-transaction script; otherwise what is wrong.
    /// Only statements that are repeatable by nature belong in such a script; anything else goes in a transactional one.
    /// </summary>
    private static string? Repeatable(string code, HashSet<string> droppedFirst)
    {
        if (DropIndex().Match(code) is { Success: true } drop)
        {
            if (!drop.Groups["ifExists"].Success)
            {
                return "DROP INDEX without IF EXISTS";
            }

            foreach (var name in drop.Groups["names"].Value.Split(',').Select(Name))
            {
                droppedFirst.Add(name);
            }

            return null;
        }

        if (CreateIndex().Match(code) is { Success: true } index)
        {
            // A build that failed left an INVALID index of this name, which IF NOT EXISTS would keep.
            return index.Groups["name"].Success && droppedFirst.Contains(Name(index.Groups["name"].Value))
                ? null
                : "CREATE INDEX not preceded by DROP INDEX CONCURRENTLY IF EXISTS of the same name";
        }

        return Regex.IsMatch(code, @"^(REINDEX\b|ANALYZE\b|VACUUM\b(?!.*\bFULL\b)|SET\b|RESET\b|DO\b|CALL\b|ALTER\s+TABLE\s+[^,]+\s+VALIDATE\s+CONSTRAINT\s+\S+$)", RegexOptions.IgnoreCase)
            ? null
            : "a statement that is not repeatable by nature (only index builds and drops, VALIDATE, ANALYZE, VACUUM, and idempotent DO or CALL batches belong here)";
    }

    /// <summary>The parts of <paramref name="text"/> between <paramref name="separator"/>s outside parentheses.</summary>
    private static IEnumerable<string> TopLevel(string text, char separator)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == separator && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    /// <summary>An object's name without its schema and quotes, lower case.</summary>
    private static string Name(string qualified) =>
        qualified.Trim().Split('.')[^1].Trim('"').ToLowerInvariant();

    private const string Qualified = @"(?:""?\w+""?\.)?""?\w+""?";

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?<table>" + Qualified + ")", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTable();

    [GeneratedRegex(@"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?<concurrently>CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?:(?<name>(?!ON\b)" + Qualified + @")\s+)?ON\s+(?:ONLY\s+)?(?<table>" + Qualified + ")", RegexOptions.IgnoreCase)]
    private static partial Regex CreateIndex();

    [GeneratedRegex(@"^DROP\s+INDEX\s+(?<concurrently>CONCURRENTLY\s+)?(?<ifExists>IF\s+EXISTS\s+)?(?<names>" + Qualified + @"(?:\s*,\s*" + Qualified + @")*)", RegexOptions.IgnoreCase)]
    private static partial Regex DropIndex();

    [GeneratedRegex(@"^REINDEX\s+(?:\([^)]*\)\s+)?(?<kind>INDEX|TABLE)\s+(?<concurrently>CONCURRENTLY\s+)?(?<name>" + Qualified + ")", RegexOptions.IgnoreCase)]
    private static partial Regex Reindex();

    [GeneratedRegex(@"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?<table>" + Qualified + @")\s+(?<actions>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex AlterTable();

    [GeneratedRegex(@"^(?:WITH\b.*?\b)?(?:UPDATE|DELETE\s+FROM)\s+(?:ONLY\s+)?(?<table>" + Qualified + ")", RegexOptions.IgnoreCase)]
    private static partial Regex Backfill();

    [GeneratedRegex(@"^(?:CLUSTER\s+(?:VERBOSE\s+)?|VACUUM\s+(?:\([^)]*FULL[^)]*\)|FULL)\s+(?:VERBOSE\s+)?(?:ANALYZE\s+)?|LOCK\s+(?:TABLE\s+)?(?:ONLY\s+)?|TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?)(?<table>" + Qualified + ")", RegexOptions.IgnoreCase)]
    private static partial Regex RewriteOrLock();

    [GeneratedRegex(@"^RENAME\b", RegexOptions.IgnoreCase)]
    private static partial Regex RenameAction();

    [GeneratedRegex(@"^ADD\s+(?:CONSTRAINT\s+(?<name>" + Qualified + @")\s+)?(?<body>(?:CHECK|FOREIGN\s+KEY|UNIQUE|PRIMARY\s+KEY|EXCLUDE)\b.*)$", RegexOptions.IgnoreCase)]
    private static partial Regex AddConstraintAction();

    [GeneratedRegex(@"^CHECK\s*\(\s*(?<column>""?\w+""?)\s+IS\s+NOT\s+NULL\s*\)", RegexOptions.IgnoreCase)]
    private static partial Regex NotNullCheck();

    [GeneratedRegex(@"^VALIDATE\s+CONSTRAINT\s+(?<name>" + Qualified + ")", RegexOptions.IgnoreCase)]
    private static partial Regex ValidateAction();

    [GeneratedRegex(@"^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?<definition>""?\w+""?\s+.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex AddColumnAction();

    [GeneratedRegex(@"^ALTER\s+(?:COLUMN\s+)?(?<column>""?\w+""?)\s+SET\s+NOT\s+NULL\b", RegexOptions.IgnoreCase)]
    private static partial Regex SetNotNullAction();

    [GeneratedRegex(@"^ALTER\s+(?:COLUMN\s+)?""?\w+""?\s+(?:SET\s+DATA\s+)?TYPE\b", RegexOptions.IgnoreCase)]
    private static partial Regex TypeChangeAction();

    [GeneratedRegex(@"(?<function>[A-Za-z_][\w.]*)\s*\(")]
    private static partial Regex FunctionCall();
}
