using XNovu.MigrationService;
using static XNovu.Tests.Unit.Migrations.OnlineMigrationRules;

namespace XNovu.Tests.Unit.Migrations;

/// <summary>
/// Issue 27, item 4: no numbered script may hold a lock on a hot table for longer than a moment
/// (docs/operations.md, "Migrations without downtime"). The scripts are read as text from
/// XNovu.MigrationService/Migrations; a new script that breaks a rule fails here, before it reaches a database.
/// </summary>
public sealed class MigrationRulesTests
{
    /// <summary>
    /// Scripts applied before the rule existed that break it. They stay as they are (an applied script is never
    /// edited, and every install has run them); each is listed with why it was acceptable then. Nothing may be added
    /// here for a new script: write it the way the rule says.
    /// </summary>
    private static readonly Dictionary<(string Script, string Rule, string Subject), string> Grandfathered = new()
    {
        [("0005_deliveries_and_dispatch", IndexWithoutConcurrently, "ent_notification")] = AppliedBeforeTheRule,
        [("0006_trigger_api", IndexWithoutConcurrently, "ent_notification")] = AppliedBeforeTheRule,
        [("0007_rule_engine", IndexWithoutConcurrently, "ent_notification")] = AppliedBeforeTheRule,
        [("0015_subscribers_and_topics", IndexWithoutConcurrently, "ent_notification")] = AppliedBeforeTheRule,
        [("0025_fewer_notification_indexes", DropIndexWithoutConcurrently, "idx_notification_created_at")] = AppliedBeforeTheRule + UpgradeFromBefore,
        [("0025_fewer_notification_indexes", DropIndexWithoutConcurrently, "idx_notification_enterprise_status")] = AppliedBeforeTheRule + UpgradeFromBefore,
        [("0026_due_deliveries_in_claim_order", IndexWithoutConcurrently, "ent_notification_delivery")] = AppliedBeforeTheRule + UpgradeFromBefore,
        [("0026_due_deliveries_in_claim_order", DropIndexWithoutConcurrently, "ix_delivery_due")] = AppliedBeforeTheRule + UpgradeFromBefore,
        [("0005_deliveries_and_dispatch", HotLockHeld, "ent_notification")] = AppliedBeforeTheRule,
        [("0010_dispatch_reliability", HotLockHeld, "ent_notification_delivery")] = AppliedBeforeTheRule,
        [("0012_original_compatibility", HotLockHeld, "ent_notification")] = AppliedBeforeTheRule,
        [("0015_subscribers_and_topics", HotLockHeld, "ent_notification")] = AppliedBeforeTheRule,
        [("0018_byo_novu", HotLockHeld, "ent_notification_delivery")] = AppliedBeforeTheRule,
        [("0021_deliveries_per_statement", HotLockHeld, "ent_notification")] = AppliedBeforeTheRule,
        [("0026_due_deliveries_in_claim_order", HotLockHeld, "ent_notification_delivery")] = AppliedBeforeTheRule + UpgradeFromBefore,
    };

    private const string AppliedBeforeTheRule =
        "Applied before the rule (issue 27): an install that has run it never runs it again, and a new install runs it while the table is still empty.";

    private const string UpgradeFromBefore =
        " An install upgrading from before it takes the lock once, for the length of the build or of the transactions already running (docs/operations.md).";

    private static IReadOnlyList<(string Name, string Text)> Scripts()
    {
        var folder = Path.Combine(RepositoryPaths.Root, "XNovu.MigrationService", "Migrations");
        return Directory.GetFiles(folder, "*.sql")
            .Select(path => (Path.GetFileNameWithoutExtension(path), File.ReadAllText(path)))
            .OrderBy(s => s.Item1, StringComparer.Ordinal)
            .ToList();
    }

    private static List<Violation> NotGrandfathered(IEnumerable<(string Name, string Text)> scripts) =>
        Check(scripts).Where(v => !Grandfathered.ContainsKey((v.Script, v.Rule, v.Subject))).ToList();

    [Fact]
    public void Every_numbered_script_leaves_hot_tables_available_or_is_grandfathered()
    {
        var violations = NotGrandfathered(Scripts());

        Assert.True(violations.Count == 0, "Scripts that would lock a hot table (docs/operations.md, \"Migrations without downtime\"):\n"
            + string.Join('\n', violations));
    }

    [Fact]
    public void Every_grandfathered_script_still_breaks_the_rule_it_is_listed_for()
    {
        var found = Check(Scripts()).Select(v => (v.Script, v.Rule, v.Subject)).ToHashSet();

        Assert.All(Grandfathered.Keys, entry => Assert.Contains(entry, found));
        Assert.All(Grandfathered.Values, reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
    }

    [Fact]
    public void The_rules_read_every_script_the_migrator_applies()
    {
        var embedded = DatabaseMigrator.ScriptNames().Select(DatabaseMigrator.ScriptFileName);

        Assert.Equal(embedded, Scripts().Select(s => s.Name));
    }

    /// <summary>Each sample, added after the real scripts as the next one, makes the check above fail with its rule.</summary>
    [Theory]
    [InlineData(IndexWithoutConcurrently, "CREATE INDEX ix_sample ON notify.ent_notification (created_at);")]
    [InlineData(IndexWithoutConcurrently, "CREATE UNIQUE INDEX IF NOT EXISTS ix_sample ON ONLY \"notify\".\"ent_notification_delivery\" (id, status);")]
    [InlineData(DropIndexWithoutConcurrently, "DROP INDEX notify.ix_delivery_due_in_order;")]
    [InlineData(ConcurrentlyInTransaction, "CREATE INDEX CONCURRENTLY ix_sample ON notify.novu_removal (kind);")]
    [InlineData(NotRepeatable, "-- xnovu:no-transaction\nCREATE INDEX CONCURRENTLY ix_sample ON notify.ent_notification (created_at);")]
    [InlineData(NotRepeatable, "-- xnovu:no-transaction\nDROP INDEX CONCURRENTLY notify.ix_delivery_due_in_order;")]
    [InlineData(NotRepeatable, "-- xnovu:no-transaction\nSELECT format('CREATE INDEX CONCURRENTLY %I ON notify.%I (created_at)', c.relname || '_x', c.relname) FROM pg_class c;")]
    [InlineData(NotRepeatable, "-- xnovu:no-transaction\nALTER TABLE notify.enterprise ADD COLUMN sample text;")]
    [InlineData(VolatileDefault, "ALTER TABLE notify.ent_notification ADD COLUMN sample uuid NOT NULL DEFAULT gen_random_uuid();")]
    [InlineData(VolatileDefault, "ALTER TABLE notify.ent_notification_delivery ADD COLUMN sample timestamptz DEFAULT clock_timestamp();")]
    [InlineData(VolatileDefault, "ALTER TABLE notify.idempotency_key ADD COLUMN sample bigserial;")]
    [InlineData(VolatileDefault, "ALTER TABLE notify.subscriber ADD COLUMN sample bigint GENERATED ALWAYS AS IDENTITY;")]
    [InlineData(VolatileDefault, "ALTER TABLE notify.ent_notification ADD COLUMN sample integer GENERATED ALWAYS AS (jsonb_array_length(recipients)) STORED;")]
    [InlineData(ConstraintValidatedUnderLock, "ALTER TABLE notify.ent_notification ADD CONSTRAINT ck_sample CHECK (workflow_key <> '');")]
    [InlineData(ConstraintValidatedUnderLock, "ALTER TABLE notify.ent_notification_delivery ADD CONSTRAINT fk_sample FOREIGN KEY (enterprise_id) REFERENCES notify.enterprise (id);")]
    [InlineData(ConstraintValidatedUnderLock, "ALTER TABLE notify.ent_notification ADD UNIQUE (transaction_id);")]
    [InlineData(ConstraintValidatedUnderLock, "ALTER TABLE notify.ent_notification ADD COLUMN sample integer CHECK (sample > 0);")]
    [InlineData(NotNullWithoutValidatedCheck, "ALTER TABLE notify.ent_notification ALTER COLUMN notification_workflow_id SET NOT NULL;")]
    [InlineData(NotNullWithoutValidatedCheck, "ALTER TABLE notify.ent_notification ADD CONSTRAINT ck_sample CHECK (name IS NOT NULL) NOT VALID;\nALTER TABLE notify.ent_notification ALTER COLUMN name SET NOT NULL;")]
    [InlineData(ColumnTypeChange, "ALTER TABLE notify.ent_notification_delivery ALTER COLUMN attempts TYPE bigint;")]
    [InlineData(ColumnTypeChange, "ALTER TABLE notify.ent_notification ALTER workflow_version SET DATA TYPE bigint;")]
    [InlineData(TableRewrite, "VACUUM FULL notify.ent_notification;")]
    [InlineData(TableRewrite, "LOCK TABLE notify.ent_notification_delivery IN SHARE MODE;")]
    [InlineData(TableRewrite, "ALTER TABLE notify.rule_tick SET UNLOGGED;")]
    [InlineData(TableRewrite, "REINDEX INDEX notify.ix_delivery_due_in_order;")]
    [InlineData(UnbatchedBackfill, "UPDATE notify.ent_notification SET name = workflow_key WHERE name IS NULL;")]
    [InlineData(UnbatchedBackfill, "WITH old AS (SELECT id FROM notify.ent_notification_delivery WHERE sent_at < now()) DELETE FROM notify.ent_notification_delivery d USING old WHERE d.id = old.id;")]
    [InlineData(Rename, "ALTER TABLE notify.enterprise RENAME COLUMN name TO display_name;")]
    [InlineData(HotLockHeld, "ALTER TABLE notify.ent_notification_delivery ADD COLUMN sample text;\nCREATE FUNCTION notify.sample() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;")]
    [InlineData(HotLockHeld, "CREATE TABLE notify.sample (id bigint PRIMARY KEY, subscriber_id text, enterprise_id uuid, FOREIGN KEY (enterprise_id, subscriber_id) REFERENCES notify.subscriber (enterprise_id, subscriber_id));\nCREATE INDEX ix_sample ON notify.sample (subscriber_id);")]
    [InlineData(HotLockHeld, "CREATE TRIGGER trg_sample AFTER UPDATE ON notify.rule_tick FOR EACH ROW EXECUTE FUNCTION notify.sample();\nDO $$ BEGIN PERFORM 1; END $$;")]
    [InlineData(HotLockHeld, "ALTER TABLE notify.ent_notification ADD COLUMN sample text;\nLOCK TABLE notify.ent_notification IN ACCESS EXCLUSIVE MODE NOWAIT;\nDO $$ BEGIN PERFORM 1; END $$;\nGRANT SELECT ON notify.ent_notification TO xnovu_app;")]
    public void A_new_script_that_breaks_a_rule_fails_the_check(string rule, string sample)
    {
        var violations = NotGrandfathered([.. Scripts(), ("9999_sample", sample)]);

        Assert.Contains(violations, v => v.Script == "9999_sample" && v.Rule == rule);
    }

    /// <summary>The forms docs/operations.md recommends pass.</summary>
    [Theory]
    [InlineData("-- xnovu:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS notify.ix_sample;\nCREATE INDEX CONCURRENTLY ix_sample ON notify.ent_notification (created_at);\nDROP INDEX CONCURRENTLY IF EXISTS notify.ix_delivery_due_in_order;")]
    [InlineData("ALTER TABLE notify.ent_notification ADD COLUMN sample text;")]
    [InlineData("ALTER TABLE notify.ent_notification ADD COLUMN sample jsonb NOT NULL DEFAULT '{}'::jsonb, ADD COLUMN seen_at timestamptz NOT NULL DEFAULT now();")]
    [InlineData("ALTER TABLE notify.ent_notification ADD CONSTRAINT ck_sample CHECK (workflow_key <> '') NOT VALID;")]
    [InlineData("ALTER TABLE notify.ent_notification ADD CONSTRAINT ck_sample CHECK (name IS NOT NULL) NOT VALID;\n-- xnovu:no-transaction is for the next script")]
    [InlineData("-- xnovu:no-transaction\nALTER TABLE notify.ent_notification VALIDATE CONSTRAINT ck_sample;\nANALYZE notify.ent_notification;")]
    [InlineData("-- xnovu:no-transaction\n-- xnovu:each-row\nSELECT format('CREATE INDEX CONCURRENTLY %I ON notify.%I (created_at)', c.relname || '_x', c.relname) FROM pg_class c WHERE c.relname LIKE 'ent_notification_p%';")]
    [InlineData("ALTER TABLE notify.ent_notification ADD CONSTRAINT ux_sample UNIQUE USING INDEX ux_sample;")]
    [InlineData("CREATE TABLE notify.sample (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT clock_timestamp());\nCREATE INDEX ix_sample ON notify.sample (created_at);")]
    [InlineData("CREATE INDEX ix_sample ON notify.novu_removal (kind);\nUPDATE notify.enterprise SET name = name;")]
    [InlineData("CREATE FUNCTION notify.sample() RETURNS void LANGUAGE sql AS $$ UPDATE notify.ent_notification SET name = name; CREATE INDEX x ON notify.ent_notification (id) $$;")]
    [InlineData("CREATE TABLE notify.sample (id bigint PRIMARY KEY, delivery_id bigint NOT NULL);\nALTER TABLE notify.sample ENABLE ROW LEVEL SECURITY;\nALTER TABLE notify.ent_notification_delivery ADD COLUMN sample text;\nALTER TABLE notify.sample ADD FOREIGN KEY (delivery_id) REFERENCES notify.ent_notification_delivery (id);\nGRANT SELECT ON notify.sample TO xnovu_app;")]
    [InlineData("LOCK TABLE notify.rule_tick IN SHARE ROW EXCLUSIVE MODE NOWAIT;\nDO $$ BEGIN EXECUTE 'CREATE TRIGGER t AFTER UPDATE ON notify.rule_tick FOR EACH ROW EXECUTE FUNCTION notify.sample()'; END $$;")]
    [InlineData("CREATE TABLE notify.sample (id bigint);\nLOCK TABLE notify.ent_notification IN ACCESS EXCLUSIVE MODE NOWAIT;\nDO $$ BEGIN EXECUTE 'ALTER TABLE notify.ent_notification RENAME TO sample_legacy'; END $$;")]
    public void A_script_written_the_recommended_way_passes(string sample)
    {
        var violations = NotGrandfathered([.. Scripts(), ("9999_sample", sample)]);

        Assert.DoesNotContain(violations, v => v.Script == "9999_sample");
    }

    [Fact]
    public void Set_not_null_passes_once_a_check_proves_it()
    {
        var violations = NotGrandfathered([
            .. Scripts(),
            ("9998_sample_expand", "ALTER TABLE notify.ent_notification ADD CONSTRAINT ck_sample CHECK (name IS NOT NULL) NOT VALID;"),
            ("9999_sample_contract", "-- xnovu:no-transaction\nALTER TABLE notify.ent_notification VALIDATE CONSTRAINT ck_sample;\nSET lock_timeout = '1s';"),
            ("9999_sample_contract_2", "ALTER TABLE notify.ent_notification ALTER COLUMN name SET NOT NULL, DROP CONSTRAINT ck_sample;"),
        ]);

        Assert.DoesNotContain(violations, v => v.Script.StartsWith("999", StringComparison.Ordinal));
    }
}
