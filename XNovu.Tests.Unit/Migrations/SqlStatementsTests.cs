using XNovu.MigrationService;

namespace XNovu.Tests.Unit.Migrations;

/// <summary>A no-transaction script runs one statement per command; these are the statements it finds.</summary>
public sealed class SqlStatementsTests
{
    [Fact]
    public void A_script_splits_at_each_top_level_semicolon()
    {
        var statements = SqlStatements.Split("""
            -- xnovu:no-transaction
            -- a comment; with a semicolon
            DROP INDEX CONCURRENTLY IF EXISTS notify.ix_a;
            CREATE INDEX CONCURRENTLY ix_a ON notify.t (a) /* ; */ WHERE b = 'x;y' AND "odd;name" IS NOT NULL;
            ANALYZE notify.t
            """);

        Assert.Equal(3, statements.Count);
        Assert.EndsWith("DROP INDEX CONCURRENTLY IF EXISTS notify.ix_a", statements[0], StringComparison.Ordinal);
        Assert.StartsWith("CREATE INDEX CONCURRENTLY ix_a", statements[1], StringComparison.Ordinal);
        Assert.EndsWith("\"odd;name\" IS NOT NULL", statements[1], StringComparison.Ordinal);
        Assert.Equal("ANALYZE notify.t", statements[2]);
    }

    [Fact]
    public void Dollar_quoted_bodies_and_escape_strings_stay_whole()
    {
        var statements = SqlStatements.Split("""
            DO $batch$ BEGIN LOOP UPDATE t SET a = 1; COMMIT; EXIT; END LOOP; END $batch$;
            CREATE FUNCTION f(p int) RETURNS int LANGUAGE sql AS $$ SELECT $1; $$;
            SELECT E'it\'s; fine', 'it''s; fine';
            /* a /* nested; */ comment */ SELECT 1;
            """);

        Assert.Equal(4, statements.Count);
        Assert.EndsWith("END $batch$", statements[0], StringComparison.Ordinal);
        Assert.EndsWith("SELECT $1; $$", statements[1], StringComparison.Ordinal);
        Assert.EndsWith("'it''s; fine'", statements[2], StringComparison.Ordinal);
        Assert.EndsWith("SELECT 1", statements[3], StringComparison.Ordinal);
    }

    [Fact]
    public void A_script_of_comments_only_has_no_statement()
    {
        Assert.Empty(SqlStatements.Split("-- nothing;\n/* still; nothing */\n;\n"));
    }

    [Fact]
    public void Code_only_blanks_comments_strings_and_bodies_but_keeps_identifiers()
    {
        var code = SqlStatements.Split("ALTER TABLE \"notify\".t ADD COLUMN c jsonb DEFAULT '{\"x\": random()}' -- CONCURRENTLY\n")
            .Select(SqlStatements.CodeOnly).Single();

        Assert.Equal("ALTER TABLE \"notify\".t ADD COLUMN c jsonb DEFAULT ''", code.TrimEnd());
    }

    [Theory]
    [InlineData("-- xnovu:no-transaction\nCREATE INDEX CONCURRENTLY x ON t (a);", true)]
    [InlineData("\uFEFF-- xnovu:no-transaction  \r\nCREATE INDEX CONCURRENTLY x ON t (a);", true)]
    [InlineData("-- Indexes (issue 14).\n-- xnovu:no-transaction\nCREATE INDEX x ON t (a);", false)]
    [InlineData("CREATE INDEX x ON t (a); -- xnovu:no-transaction", false)]
    public void Only_a_first_line_marker_takes_a_script_out_of_its_transaction(string script, bool outside)
    {
        Assert.Equal(outside, DatabaseMigrator.RunsOutsideTransaction(script));
    }

    [Fact]
    public void The_new_index_migration_runs_outside_a_transaction_one_statement_at_a_time()
    {
        var script = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "XNovu.MigrationService", "Migrations", "0029_deliveries_by_subscriber.sql"));

        Assert.True(DatabaseMigrator.RunsOutsideTransaction(script));
        Assert.Collection(
            SqlStatements.Split(script).Select(s => SqlStatements.CodeOnly(s).Trim()),
            s => Assert.Equal("DROP INDEX CONCURRENTLY IF EXISTS notify.ix_delivery_subscriber", s),
            s => Assert.StartsWith("CREATE INDEX CONCURRENTLY ix_delivery_subscriber ON notify.ent_notification_delivery", s, StringComparison.Ordinal),
            s => Assert.Equal("DROP INDEX CONCURRENTLY IF EXISTS notify.ix_delivery_notification", s));
    }
}
