using XNovu.MigrationService;

namespace XNovu.Tests.Unit.Migrations;

/// <summary>The locks the migrator asks for with NOWAIT before a statement that would otherwise queue for them.</summary>
public sealed class TableLocksTests
{
    [Theory]
    [InlineData("ALTER TABLE notify.ent_notification_delivery ADD COLUMN outcome text", "notify.ent_notification_delivery", TableLocks.AccessExclusive)]
    [InlineData("ALTER TABLE IF EXISTS ONLY \"notify\".\"Ent\" ADD COLUMN x text", "notify.Ent", TableLocks.AccessExclusive)]
    [InlineData("CREATE TRIGGER t AFTER UPDATE OF status ON notify.novu_workflow_sync FOR EACH ROW EXECUTE FUNCTION f()", "notify.novu_workflow_sync", TableLocks.ShareRowExclusive)]
    [InlineData("DROP TRIGGER IF EXISTS t ON notify.rule_tick", "notify.rule_tick", TableLocks.AccessExclusive)]
    [InlineData("CREATE POLICY p ON notify.subscriber USING (true)", "notify.subscriber", TableLocks.AccessExclusive)]
    [InlineData("CREATE UNIQUE INDEX ix ON notify.ent_notification (id)", "notify.ent_notification", TableLocks.Share)]
    [InlineData("CREATE TABLE notify.x (id bigint REFERENCES notify.ent_notification_delivery (id))", "notify.ent_notification_delivery", TableLocks.ShareRowExclusive)]
    [InlineData("TRUNCATE notify.rule_tick", "notify.rule_tick", TableLocks.AccessExclusive)]
    public void A_statement_that_locks_an_existing_table_names_it_and_its_mode(string statement, string table, string mode)
    {
        Assert.Contains(new TableLock(table, mode), TableLocks.Of(statement));
    }

    [Theory]
    [InlineData("CREATE INDEX CONCURRENTLY ix ON notify.ent_notification (id)")]
    [InlineData("ALTER TABLE notify.ent_notification VALIDATE CONSTRAINT ck")]
    [InlineData("DO $$ BEGIN EXECUTE 'ALTER TABLE notify.ent_notification ADD COLUMN x text'; END $$")]
    [InlineData("CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ ALTER TABLE notify.ent_notification ADD COLUMN x text $$")]
    [InlineData("SELECT 'ALTER TABLE notify.ent_notification ADD COLUMN x text'")]
    [InlineData("GRANT SELECT ON notify.ent_notification TO xnovu_app")]
    public void A_statement_that_blocks_no_write_or_hides_its_table_in_a_body_takes_none(string statement)
    {
        Assert.Empty(TableLocks.Of(statement));
    }

    [Fact]
    public void Each_lock_on_an_existing_table_is_asked_for_with_nowait_just_before_its_statement()
    {
        var script = """
            CREATE TABLE notify.sample (id bigint PRIMARY KEY, delivery_id bigint NOT NULL);
            ALTER TABLE notify.sample ENABLE ROW LEVEL SECURITY;
            CREATE FUNCTION notify.f() RETURNS integer LANGUAGE sql AS $$ SELECT 1; $$;
            ALTER TABLE notify.ent_notification_delivery ADD COLUMN sample text;
            ALTER TABLE notify.sample ADD FOREIGN KEY (delivery_id) REFERENCES notify.ent_notification_delivery (id);
            """;

        var lines = TableLocks.WithNowaitLocks(script).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
            [
                "CREATE TABLE notify.sample (id bigint PRIMARY KEY, delivery_id bigint NOT NULL);",
                "ALTER TABLE notify.sample ENABLE ROW LEVEL SECURITY;",
                "CREATE FUNCTION notify.f() RETURNS integer LANGUAGE sql AS $$ SELECT 1; $$;",
                "LOCK TABLE \"notify\".\"ent_notification_delivery\" IN ACCESS EXCLUSIVE MODE NOWAIT;",
                "ALTER TABLE notify.ent_notification_delivery ADD COLUMN sample text;",
                "LOCK TABLE \"notify\".\"ent_notification_delivery\" IN SHARE ROW EXCLUSIVE MODE NOWAIT;",
                "ALTER TABLE notify.sample ADD FOREIGN KEY (delivery_id) REFERENCES notify.ent_notification_delivery (id);",
            ],
            lines);
    }

    [Fact]
    public void A_script_that_locks_nothing_it_did_not_create_comes_back_as_it_was()
    {
        var script = "CREATE TABLE notify.sample (id bigint);\n-- a comment\nCREATE INDEX ix ON notify.sample (id);\n";

        Assert.Same(script, TableLocks.WithNowaitLocks(script));
    }

    [Fact]
    public void A_refused_nowait_is_told_from_a_lock_timeout()
    {
        Assert.True(TableLocks.IsNowaitRefusal("55P03", "could not obtain lock on relation \"ent_notification\""));
        Assert.False(TableLocks.IsNowaitRefusal("55P03", "canceling statement due to lock timeout"));
    }
}
