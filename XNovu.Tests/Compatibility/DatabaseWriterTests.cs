using Dapper;
using Npgsql;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;

namespace XNovu.Tests.Compatibility;

/// <summary>Outside systems writing notifications by SQL, as the original's did.</summary>
[Collection(AppCollection.Name)]
public sealed class DatabaseWriterTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    [Fact]
    public async Task Row_enqueued_by_workflow_id_through_the_writer_role_is_delivered_rendered()
    {
        var (enterprise, workflowId) = await RootLevelWorkflowAsync();
        var subscriber = TriggerApi.Subscriber();

        await using var connection = await WriterAsync();
        var (id, transactionId) = await connection.QuerySingleAsync<(long, string)>(
            "SELECT * FROM notify.enqueue_notification(@enterprise, @workflowId, @payload::jsonb, @recipients::jsonb)",
            new { enterprise = enterprise.Id, workflowId, payload = """{"userName": "Ann"}""", recipients = $"""["{subscriber}"]""" });
        await Harness.WaitForStatusAsync(id, "SENT");
        var delivered = Assert.Single(await Harness.EventsAsync(transactionId));

        Assert.Equal("Hello Ann", (string)delivered!["payload"]!["xnovu"]!["channels"]!["SMS"]!["body"]!);
        Assert.Contains(subscriber, delivered["to"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Row_inserted_with_only_the_workflow_id_gets_its_key_and_is_delivered()
    {
        var (enterprise, workflowId) = await RootLevelWorkflowAsync();
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();

        // The original's row: no workflow_key, the workflow by id, PENDING by default.
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO notify.ent_notification (enterprise_id, notification_workflow_id, payload, recipients)
            VALUES (@enterprise, @workflowId, '{"userName": "Bo"}', @recipients::jsonb) RETURNING id
            """,
            new { enterprise = enterprise.Id, workflowId, recipients = $"""["{TriggerApi.Subscriber()}"]""" });
        await Harness.WaitForStatusAsync(id, "SENT");
        var row = await connection.QuerySingleAsync<(string WorkflowKey, int? Version)>(
            "SELECT workflow_key, workflow_version FROM notify.ent_notification WHERE id = @id", new { id });

        Assert.StartsWith("wf-", row.WorkflowKey, StringComparison.Ordinal);
        Assert.Equal(1, row.Version);
    }

    [Fact]
    public async Task One_insert_of_several_rows_without_transaction_ids_gets_one_delivery_per_recipient_each()
    {
        var (enterprise, workflowId) = await RootLevelWorkflowAsync();
        var (ann, bo) = (TriggerApi.Subscriber(), TriggerApi.Subscriber());
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();

        // One statement, three rows: two recipients, one recipient, and one not PENDING (left alone).
        var ids = (await connection.QueryAsync<long>(
            """
            INSERT INTO notify.ent_notification (enterprise_id, notification_workflow_id, payload, recipients, notification_status)
            VALUES (@enterprise, @workflowId, '{}', @two::jsonb, 'PENDING'),
                   (@enterprise, @workflowId, '{}', @one::jsonb, 'PENDING'),
                   (@enterprise, @workflowId, '{}', @one::jsonb, 'RETRACTED')
            RETURNING id
            """,
            new { enterprise = enterprise.Id, workflowId, two = $$"""["{{ann}}", {"subscriberId": "{{bo}}"}]""", one = $"""["{bo}"]""" })).ToList();

        var notifications = (await connection.QueryAsync<(long Id, string? TransactionId)>(
            "SELECT id, transaction_id FROM notify.ent_notification WHERE id = ANY(@ids) ORDER BY id", new { ids })).ToList();
        var deliveries = (await connection.QueryAsync<(long NotificationId, int Ordinal, string SubscriberId, string TransactionId)>(
            "SELECT notification_id, ordinal, subscriber_id, transaction_id FROM notify.ent_notification_delivery WHERE notification_id = ANY(@ids) ORDER BY notification_id, ordinal",
            new { ids })).ToList();

        Assert.Equal($"xnovu-{ids[0]}", notifications[0].TransactionId);
        Assert.Equal($"xnovu-{ids[1]}", notifications[1].TransactionId);
        Assert.Null(notifications[2].TransactionId);
        Assert.Equal(
            [(ids[0], 1, ann, $"xnovu-{ids[0]}-1"), (ids[0], 2, bo, $"xnovu-{ids[0]}-2"), (ids[1], 1, bo, $"xnovu-{ids[1]}")],
            deliveries);
        await Harness.WaitForStatusAsync(ids[0], "SENT");
        await Harness.WaitForStatusAsync(ids[1], "SENT");
    }

    [Fact]
    public async Task Writer_role_cannot_read_tables_nor_enqueue_into_another_enterprises_workflow()
    {
        var (enterprise, _) = await RootLevelWorkflowAsync();
        var (_, othersWorkflowId) = await RootLevelWorkflowAsync();
        var before = await fixture.CountNotificationsAsync(enterprise.Id);
        await using var connection = await WriterAsync();

        var read = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notify.ent_notification"));
        var foreign = await Assert.ThrowsAsync<PostgresException>(() => connection.QueryAsync(
            "SELECT * FROM notify.enqueue_notification(@enterprise, @workflowId)", new { enterprise = enterprise.Id, workflowId = othersWorkflowId }));
        var badPayload = await Assert.ThrowsAsync<PostgresException>(() => connection.QueryAsync(
            "SELECT * FROM notify.enqueue_notification(@enterprise, 'default-sms'::text, '[1]'::jsonb)", new { enterprise = enterprise.Id }));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, read.SqlState);
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, foreign.SqlState);
        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, badPayload.SqlState);
        Assert.Equal(before, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Row_naming_a_workflow_id_of_another_enterprise_is_refused()
    {
        var (enterprise, _) = await RootLevelWorkflowAsync();
        var (_, othersWorkflowId) = await RootLevelWorkflowAsync();
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO notify.ent_notification (enterprise_id, notification_workflow_id) VALUES (@enterprise, @othersWorkflowId)",
            new { enterprise = enterprise.Id, othersWorkflowId }));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
    }

    /// <summary>A published SMS workflow whose template reads <c>{{ userName }}</c> at the root; answers its id.</summary>
    private async Task<(TestEnterprise Enterprise, long WorkflowId)> RootLevelWorkflowAsync()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var template = Key("tpl-sms");
        await enterprise.Client.CreateAsync("/api/templates", new
        {
            templateKey = template, name = "Root", channelType = "SMS", bodyTemplate = "Hello {{ userName }}", payloadAtRoot = true,
        });
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/templates/{template}/publish");
        var key = Key("wf");
        var created = await enterprise.Client.CreateAsync("/api/workflows", Workflow(key, ["SMS"], new() { ["SMS"] = template }, payloadSchema: new { type = "object" }));
        await enterprise.Client.OkAsync(HttpMethod.Post, $"/api/workflows/{key}/publish");
        return (enterprise, (long)created["id"]!);
    }

    /// <summary>The owner's connection acting as <c>xnovu_writer</c>, as a login granted that role would.</summary>
    private async Task<NpgsqlConnection> WriterAsync()
    {
        var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        await connection.ExecuteAsync("SET ROLE xnovu_writer");
        return connection;
    }
}
