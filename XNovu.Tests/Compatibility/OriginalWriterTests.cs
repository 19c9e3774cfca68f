using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Compatibility;

/// <summary>
/// The original's writers, unchanged: INSERTs written for its <c>notify.ent_notification</c> (its columns and types:
/// a required name, <c>typ_notification_*_id</c>, <c>recipients UUID[]</c>, <c>channels</c> an enum array, tags,
/// business_id), in the forms its own code sent them, against <c>original_compat.ent_notification</c>, reached by
/// the writer's search_path or by renaming the schema. Ids are the original's (original-data.sql), as its writers
/// read them from its own tables or hard-coded them: the import's id map (0046) translates them, per enterprise.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class OriginalWriterTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private static readonly Guid Ann = Guid.Parse("aaaaaaaa-0000-4000-8000-000000000001");
    private static readonly Guid Bo = Guid.Parse("aaaaaaaa-0000-4000-8000-000000000002");

    // The original's ids (original-data.sql): Acme's, then Globex's (the original's other enterprise).
    private const long OrderShipped = 300;
    private const long LegacyStatic = 302;
    private const long Borrowed = 303;
    private const long NewYearDigestRule = 500;
    private const long Orders = 10;
    private const long High = 20;
    private const long GlobexWorkflow = 400;
    private const long GlobexRule = 600;
    private const long GlobexCategory = 15;

    /// <summary>
    /// The original's rule activity (lib/temporal/activities/rule-scheduled.ts) through RuleService.createNotification:
    /// these columns, PENDING and PUBLISH given, recipients a UUID[]. Unqualified, as the writer's search_path finds it.
    /// </summary>
    private const string RuleActivityInsert =
        """
        INSERT INTO ent_notification
            (name, description, payload, recipients, notification_workflow_id, notification_rule_id, enterprise_id,
             business_id, notification_status, publish_status, channels)
        VALUES (@name, @description, @payload::jsonb, @recipients, @workflowId, @ruleId, @enterprise,
                @business, 'PENDING', 'PUBLISH', '{EMAIL,IN_APP}')
        RETURNING id, transaction_id, notification_status::text
        """;

    private readonly OriginalDatabase _original = new(fixture);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await _original.CreateAsync();
    }

    public override async Task DisposeAsync()
    {
        await _original.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Rule_activity_insert_with_uuid_recipients_through_the_search_path_is_dispatched_rendered()
    {
        var acme = await ImportedAsync();
        await using var writer = await WriterAsync();

        var (id, transactionId, status) = await writer.QuerySingleAsync<(long, string, string)>(RuleActivityInsert, new
        {
            name = "Scheduled: New year digest",
            description = "Notification triggered by scheduled rule: New year digest",
            payload = """{"userName": "Ann", "orderId": 42}""",
            recipients = new[] { Ann, Bo },
            workflowId = OrderShipped,
            ruleId = NewYearDigestRule,
            enterprise = acme.Enterprise.Id,
            business = Guid.Parse("cccccccc-0000-4000-8000-000000000001"),
        });
        await Harness.WaitForStatusAsync(id, "SENT");

        var events = await Harness.EventsAsync(transactionId);
        Assert.Equal("PENDING", status);
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal("<p>Hello Ann,</p><p>Regards, Acme Support</p>", (string)e!["payload"]!["xnovu"]!["channels"]!["EMAIL"]!["body"]!));
        Assert.Contains(Ann.ToString(), events.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(Bo.ToString(), events.ToJsonString(), StringComparison.Ordinal);
        await using var owner = await fixture.OpenOwnerConnectionAsync();
        var stored = await owner.QuerySingleAsync<(string Name, Guid[] Recipients, string[] Channels, Guid Business, long Rule, long Category, long Workflow)>(
            """
            SELECT name, recipients, channels::text[], business_id, notification_rule_id, typ_notification_category_id, notification_workflow_id
            FROM original_compat.ent_notification WHERE id = @id
            """,
            new { id });
        Assert.Equal("Scheduled: New year digest", stored.Name);
        Assert.Equal([Ann, Bo], stored.Recipients);
        Assert.Equal(["EMAIL", "IN_APP"], stored.Channels);
        // The original's 300 and 500 are XNovu's order-shipped and New year digest of this enterprise.
        Assert.Equal((Guid.Parse("cccccccc-0000-4000-8000-000000000001"), acme.RuleId, acme.Category("orders"), acme.Workflow("order-shipped")), (stored.Business, stored.Rule, stored.Category, stored.Workflow));
    }

    [Fact]
    public async Task PostgREST_insert_of_the_original_client_through_the_renamed_schema_keeps_its_transaction_id_and_is_sent_once()
    {
        var acme = await ImportedAsync();
        var transactionId = $"async-test-{Guid.NewGuid()}";
        // NotificationService.createNotification's body (scripts/test-async-trigger.ts), as PostgREST 12 writes it,
        // with .schema('notify') renamed to .schema('original_compat').
        var body = new JsonObject
        {
            ["transaction_id"] = transactionId,
            ["name"] = "Async Temporal Test - 2025-06-20T09:00:00Z",
            ["payload"] = new JsonObject { ["userName"] = "Bo", ["orderId"] = 7 },
            ["recipients"] = new JsonArray(Bo.ToString()),
            ["notification_workflow_id"] = OrderShipped,
            ["enterprise_id"] = acme.Enterprise.Id.ToString(),
            ["notification_status"] = "PENDING",
            ["publish_status"] = "PUBLISH",
            ["channels"] = new JsonArray("EMAIL", "IN_APP"),
            ["typ_notification_priority_id"] = High,
            ["tags"] = new JsonArray("orders"),
        };
        await using var writer = await WriterAsync(searchPath: "public");

        var answer = await writer.ExecuteScalarAsync<string>(
            """
            WITH pgrst_source AS (
                INSERT INTO "original_compat"."ent_notification"("channels", "enterprise_id", "name", "notification_status", "notification_workflow_id", "payload", "publish_status", "recipients", "tags", "transaction_id", "typ_notification_priority_id")
                SELECT "pgrst_body"."channels", "pgrst_body"."enterprise_id", "pgrst_body"."name", "pgrst_body"."notification_status", "pgrst_body"."notification_workflow_id", "pgrst_body"."payload", "pgrst_body"."publish_status", "pgrst_body"."recipients", "pgrst_body"."tags", "pgrst_body"."transaction_id", "pgrst_body"."typ_notification_priority_id"
                FROM (SELECT @body::json AS json_data) pgrst_payload,
                LATERAL (SELECT CASE WHEN json_typeof(pgrst_payload.json_data) = 'array' THEN pgrst_payload.json_data ELSE json_build_array(pgrst_payload.json_data) END AS val) pgrst_uniform_json,
                LATERAL (SELECT * FROM json_populate_recordset(null::"original_compat"."ent_notification", pgrst_uniform_json.val)) pgrst_body
                RETURNING "original_compat"."ent_notification".*)
            SELECT coalesce(json_agg(_postgrest_t)->0, 'null')::text AS body
            FROM (SELECT "ent_notification".* FROM "pgrst_source" AS "ent_notification") _postgrest_t
            """,
            new { body = body.ToJsonString() });
        var row = JsonNode.Parse(answer!)!;
        await Harness.WaitForStatusAsync((long)row["id"]!, "SENT");

        Assert.Equal(transactionId, (string)row["transaction_id"]!);
        Assert.Equal(Bo.ToString(), (string)row["recipients"]![0]!);
        // RETURNING answers XNovu's ids.
        Assert.Equal(acme.Category("orders"), (long)row["typ_notification_category_id"]!);
        Assert.Equal(acme.Priority("high"), (long)row["typ_notification_priority_id"]!);
        var sent = Assert.Single(await Harness.EventsAsync(transactionId));
        Assert.Equal("Order 7 is on its way, Bo.", (string)sent!["payload"]!["xnovu"]!["channels"]!["IN_APP"]!["body"]!);
    }

    [Fact]
    public async Task Original_rows_are_refused_with_enqueue_notifications_sqlstates_and_write_nothing_even_naming_another_enterprise()
    {
        var acme = await ImportedAsync();
        var hostile = await ImportedAsync();
        await using var writer = await WriterAsync();
        var used = await writer.QuerySingleAsync<(long, string, string)>(RuleActivityInsert, Row(acme));
        var before = await fixture.CountNotificationsAsync(acme.Enterprise.Id);
        var hostileBefore = await fixture.CountNotificationsAsync(hostile.Enterprise.Id);

        var refusals = new (string Why, string Sql, object Parameters, string SqlState)[]
        {
            ("no name", RuleActivityInsert, Row(acme, name: null), PostgresErrorCodes.NotNullViolation),
            ("empty recipients", RuleActivityInsert, Row(acme, recipients: []), PostgresErrorCodes.InvalidParameterValue),
            ("payload not an object", RuleActivityInsert, Row(acme, payload: "[1]"), PostgresErrorCodes.InvalidParameterValue),
            ("the original's other enterprise's workflow", RuleActivityInsert, Row(acme, workflowId: GlobexWorkflow), PostgresErrorCodes.ForeignKeyViolation),
            ("a workflow the import did not bring (STATIC)", RuleActivityInsert, Row(acme, workflowId: LegacyStatic), PostgresErrorCodes.ForeignKeyViolation),
            ("a workflow not published", RuleActivityInsert, Row(acme, workflowId: Borrowed), PostgresErrorCodes.ObjectNotInPrerequisiteState),
            ("the original's other enterprise's rule", RuleActivityInsert, Row(acme, ruleId: GlobexRule), PostgresErrorCodes.ForeignKeyViolation),
            ("the original's other enterprise's category",
             "INSERT INTO ent_notification (name, payload, recipients, notification_workflow_id, enterprise_id, publish_status, typ_notification_category_id) VALUES ('x', '{}', @recipients, @workflowId, @enterprise, 'PUBLISH', @category)",
             new { recipients = new[] { Ann }, workflowId = OrderShipped, enterprise = acme.Enterprise.Id, category = GlobexCategory },
             PostgresErrorCodes.ForeignKeyViolation),
            ("publish_status left to the original's default, DRAFT, which it never sent",
             "INSERT INTO ent_notification (name, payload, recipients, notification_workflow_id, enterprise_id) VALUES ('x', '{}', @recipients, @workflowId, @enterprise)",
             new { recipients = new[] { Ann }, workflowId = OrderShipped, enterprise = acme.Enterprise.Id },
             PostgresErrorCodes.ObjectNotInPrerequisiteState),
            ("a transaction id already used",
             "INSERT INTO ent_notification (name, payload, recipients, notification_workflow_id, enterprise_id, publish_status, transaction_id) VALUES ('x', '{}', @recipients, @workflowId, @enterprise, 'PUBLISH', @transactionId)",
             new { recipients = new[] { Ann }, workflowId = OrderShipped, enterprise = acme.Enterprise.Id, transactionId = used.Item2 },
             PostgresErrorCodes.UniqueViolation),
            ("reading notifications", "SELECT count(*) FROM ent_notification", new { }, PostgresErrorCodes.InsufficientPrivilege),
        };
        var answers = new List<string>();
        foreach (var (why, sql, parameters, _) in refusals)
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => writer.ExecuteAsync(sql, parameters));
            answers.Add($"{why}: {refused.SqlState}");
        }

        Assert.Equal(refusals.Select(r => $"{r.Why}: {r.SqlState}"), answers);
        Assert.Equal(before, await fixture.CountNotificationsAsync(acme.Enterprise.Id));
        Assert.Equal(hostileBefore, await fixture.CountNotificationsAsync(hostile.Enterprise.Id));
    }

    [Fact]
    public async Task An_enterprise_map_translates_only_its_own_writers_ids_and_bad_maps_are_refused()
    {
        var acme = await ImportedAsync();
        var hostile = await ImportedAsync();
        await using var writer = await WriterAsync();
        var before = await fixture.CountNotificationsAsync(acme.Enterprise.Id);

        // The hostile enterprise maps an id of its own choosing onto "order-shipped": its key names its own workflow only.
        var mapped = await hostile.Enterprise.Client.OkAsync(HttpMethod.Put, "/api/original-ids", new
        {
            items = new object[]
            {
                new { kind = "workflow", originalId = 777_777, key = "order-shipped" },
                new { kind = "rule", originalId = 777_778, key = acme.RuleId.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
        });
        var badKind = await hostile.Enterprise.Client.SendAsync(HttpMethod.Put, "/api/original-ids", new { items = new[] { new { kind = "flow", originalId = 1, key = "x" } } });
        var twice = await hostile.Enterprise.Client.SendAsync(HttpMethod.Put, "/api/original-ids", new
        {
            items = new[] { new { kind = "workflow", originalId = 777_779, key = "order-shipped" }, new { kind = "workflow", originalId = 777_779, key = "fire-drill" } },
        });
        Assert.Equal(hostile.Workflow("order-shipped"), (long)mapped["items"]![0]!["id"]!);
        // Another enterprise's rule id names nothing here: mapped to nothing.
        Assert.Null(mapped["items"]![1]!["id"]);
        var badKindErrors = await badKind.AssertProblemAsync(System.Net.HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");
        Assert.Contains("items[0].kind", badKindErrors.Select(e => e.Key));
        var twiceErrors = await twice.AssertProblemAsync(System.Net.HttpStatusCode.UnprocessableEntity, "https://xnovu.dev/problems/validation");
        Assert.Contains("items[1].originalId", twiceErrors.Select(e => e.Key));

        var hostileMapped = await writer.QuerySingleAsync<(long, string, string)>(RuleActivityInsert, Row(hostile));
        var acmeRefused = await Assert.ThrowsAsync<PostgresException>(() => writer.ExecuteAsync(RuleActivityInsert, Row(acme, workflowId: 777_777)));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, acmeRefused.SqlState);
        Assert.Equal(before, await fixture.CountNotificationsAsync(acme.Enterprise.Id));
        // The same original id 300 is each enterprise's own order-shipped.
        await using var owner = await fixture.OpenOwnerConnectionAsync();
        Assert.Equal(
            (hostile.Enterprise.Id, hostile.Workflow("order-shipped")),
            await owner.QuerySingleAsync<(Guid, long)>("SELECT enterprise_id, notification_workflow_id FROM notify.ent_notification WHERE id = @id", new { id = hostileMapped.Item1 }));
        Assert.Equal(0L, await owner.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notify.original_id_map WHERE enterprise_id = @enterprise AND original_id IN (777777, 777778, 777779)", new { enterprise = acme.Enterprise.Id }));
        // A refused map wrote nothing.
        Assert.Equal(0L, await owner.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notify.original_id_map WHERE enterprise_id = @enterprise AND original_id IN (1, 777779)", new { enterprise = hostile.Enterprise.Id }));
    }

    private static object Row(
        Imported acme, string? name = "Order shipped", Guid[]? recipients = null, string payload = """{"userName": "Ann", "orderId": 1}""",
        long? workflowId = null, long? ruleId = null) => new
    {
        name,
        description = (string?)null,
        payload,
        recipients = recipients ?? [Ann],
        workflowId = workflowId ?? OrderShipped,
        ruleId,
        enterprise = acme.Enterprise.Id,
        business = (Guid?)null,
    };

    /// <summary>An XNovu enterprise holding the fixture enterprise, imported; with its XNovu ids by key.</summary>
    private async Task<Imported> ImportedAsync()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var (exitCode, report, errors) = await _original.ImportAsync(enterprise);
        Assert.True(exitCode == 2 && report.Lines("failed").Length == 0, $"exit {exitCode}: {report.ToJsonString()} {errors}");
        await using var owner = await fixture.OpenOwnerConnectionAsync();
        var ids = (await owner.QueryAsync<(string Kind, string Key, long Id)>(
            """
            SELECT 'workflow', workflow_key, id FROM notify.ent_notification_workflow WHERE enterprise_id = @enterprise
            UNION ALL SELECT 'category', code, id FROM notify.typ_notification_category WHERE enterprise_id = @enterprise
            UNION ALL SELECT 'priority', code, id FROM notify.typ_notification_priority WHERE enterprise_id = @enterprise
            UNION ALL SELECT 'rule', name, id FROM notify.ent_notification_rule WHERE enterprise_id = @enterprise
            """,
            new { enterprise = enterprise.Id })).ToDictionary(i => $"{i.Kind}:{i.Key}", i => i.Id);
        return new Imported(enterprise, ids);
    }

    /// <summary>
    /// The owner's connection acting as <c>xnovu_writer</c>, with the search_path a DBA gives the original's writer
    /// login (<c>ALTER ROLE ... SET search_path = original_compat</c>).
    /// </summary>
    private async Task<NpgsqlConnection> WriterAsync(string searchPath = "original_compat")
    {
        var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        await connection.ExecuteAsync($"SET ROLE xnovu_writer; SET search_path = {searchPath}");
        return connection;
    }

    private sealed record Imported(TestEnterprise Enterprise, IReadOnlyDictionary<string, long> Ids)
    {
        public long RuleId => Ids["rule:New year digest"];

        public long Workflow(string key) => Ids[$"workflow:{key}"];

        public long Category(string code) => Ids[$"category:{code}"];

        public long Priority(string code) => Ids[$"priority:{code}"];
    }
}
