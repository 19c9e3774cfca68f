using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using XNovu.Tests.Infrastructure;
using XNovu.Tests.Rules;

namespace XNovu.Tests.Enterprises;

/// <summary>The admin renames, deactivates, reactivates and deletes an enterprise; a deactivated one is held, not lost.</summary>
[Collection(AppCollection.Name)]
public sealed class OffboardingTests(XNovuAppFixture fixture) : EmulatorTestBase(new DispatchHarness(fixture))
{
    private const string DeactivatedType = "https://xnovu.dev/problems/enterprise-deactivated";

    [Fact]
    public async Task Admin_renames_an_enterprise_and_the_new_name_is_listed()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();

        var renamed = await admin.PatchAsJsonAsync($"/api/admin/enterprises/{enterprise.Id}", new { name = "  Renamed Ltd  ", description = "after the merger" });

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var read = await admin.GetFromJsonAsync<JsonObject>($"/api/admin/enterprises/{enterprise.Id}");
        Assert.Equal("Renamed Ltd", (string?)read!["name"]);
        Assert.Equal("after the merger", (string?)read["description"]);
        var unknown = await admin.PatchAsJsonAsync($"/api/admin/enterprises/{Guid.NewGuid()}", new { name = "x" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Deactivated_enterprise_key_is_403_enterprise_deactivated_on_triggers_events_and_management_and_nothing_is_stored()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();

        var deactivated = await admin.PostAsync($"/api/admin/enterprises/{enterprise.Id}/deactivate", null);

        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        Assert.True((bool)(await deactivated.ReadObjectAsync())["deactivated"]!);
        var trigger = await enterprise.Client.PostAsJsonAsync("/api/trigger", new { workflowId = "default-email", to = "ann", payload = new { subject = "s", body = "b" } });
        await trigger.AssertProblemAsync(HttpStatusCode.Forbidden, DeactivatedType);
        await (await enterprise.Client.PostAsJsonAsync("/api/events", new { name = "anything" })).AssertProblemAsync(HttpStatusCode.Forbidden, DeactivatedType);
        await (await enterprise.Client.GetAsync("/api/templates")).AssertProblemAsync(HttpStatusCode.Forbidden, DeactivatedType);
        Assert.Equal(0, await fixture.CountNotificationsAsync(enterprise.Id));
        // Another enterprise is untouched.
        Assert.Equal(HttpStatusCode.OK, (await other.Client.GetAsync("/api/templates")).StatusCode);

        await admin.PostAsync($"/api/admin/enterprises/{enterprise.Id}/reactivate", null);
        Assert.Equal(HttpStatusCode.OK, (await enterprise.Client.GetAsync("/api/templates")).StatusCode);
    }

    [Fact]
    public async Task Pending_deliveries_of_a_deactivated_enterprise_are_held_neither_sent_nor_failed_and_sent_after_reactivation()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        (await admin.PostAsync($"/api/admin/enterprises/{enterprise.Id}/deactivate", null)).EnsureSuccessStatusCode();
        var subscriber = ManagementApi.Key("held");
        var (id, transactionId) = await Harness.InsertNotificationAsync(
            enterprise.Id, "default-email", """{"subject":"s","body":"held"}""", $"""["{subscriber}"]""");

        var active = await fixture.CreateEnterpriseAsync();
        var (activeId, _) = await Harness.InsertNotificationAsync(
            active.Id, "default-email", """{"subject":"s","body":"flows"}""", $"""["{subscriber}-active"]""");

        // Another enterprise's delivery, due at the same time, goes out; the held one stays PENDING.
        await Harness.WaitForStatusAsync(activeId, "SENT");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("PENDING", await DeliveryStatusAsync(id));
        Assert.Empty(await Harness.EventsAsync(transactionId));

        (await admin.PostAsync($"/api/admin/enterprises/{enterprise.Id}/reactivate", null)).EnsureSuccessStatusCode();
        await Harness.WaitForStatusAsync(id, "SENT");
        Assert.Single(await Harness.EventsAsync(transactionId));
    }

    [Fact]
    public async Task Timed_rules_of_a_deactivated_enterprise_pause()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await fixture.AllowSubMinuteCronAsync(enterprise.Id);
        var workflow = await enterprise.Client.WorkflowAsync(publish: true);
        var ruleId = await RuleHarness.PublishedRuleAsync(enterprise.Client, workflow, "CRON", new { cron = "* * * * * *" });
        var rules = new RuleHarness(fixture);
        await Eventually.WaitForAsync(() => rules.TickCountAsync(ruleId), count => count > 0, TimeSpan.FromSeconds(20), "the rule's first tick");
        using var admin = fixture.CreateAdminClient();

        (await admin.PostAsync($"/api/admin/enterprises/{enterprise.Id}/deactivate", null)).EnsureSuccessStatusCode();
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // a tick already planned may still land
        var paused = await rules.TickCountAsync(ruleId);
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(paused, await rules.TickCountAsync(ruleId));
    }

    [Fact]
    public async Task Deleting_an_enterprise_removes_all_its_rows_in_the_background_and_leaves_other_tenants_alone()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        var workflow = await enterprise.Client.WorkflowAsync(publish: true);
        await RuleHarness.PublishedRuleAsync(enterprise.Client, workflow, "EVENT", new { eventName = "x" });
        await enterprise.Client.CreateAsync("/api/categories", new { code = "c1", name = "Category" });
        for (var i = 0; i < 3; i++)
        {
            await enterprise.Client.AcceptedAsync(JsonNode.Parse($$$$"""{"workflowId":"{{{{workflow}}}}","to":["a{{{{i}}}}","b{{{{i}}}}"],"payload":{"name":"Ada"}}""")!);
        }

        var otherTemplate = await other.Client.PublishedTemplateAsync("EMAIL");
        using var admin = fixture.CreateAdminClient();

        var deleted = await admin.DeleteAsync($"/api/admin/enterprises/{enterprise.Id}");

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        Assert.DoesNotContain((await admin.GetFromJsonAsync<JsonArray>("/api/admin/enterprises"))!, e => (string?)e!["id"] == enterprise.Id.ToString());
        await Eventually.WaitForAsync(() => RowsOfAsync(enterprise.Id), rows => rows == 0, TimeSpan.FromSeconds(30), "the enterprise's rows to be gone");
        // 401 once the key row is gone; 403 while this replica's key cache still holds the deactivated enterprise.
        var keyAnswer = await fixture.CreateHttpClient("api").WithBearer(enterprise.ApiKey).GetAsync("/api/templates");
        Assert.Contains(keyAnswer.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        Assert.Equal(HttpStatusCode.OK, (await other.Client.GetAsync($"/api/templates/{otherTemplate}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/admin/enterprises/{enterprise.Id}/reactivate", null)).StatusCode);
    }

    /// <summary>The enterprise's row and every row that names it, in every table.</summary>
    private async Task<long> RowsOfAsync(Guid enterpriseId)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        var tables = await connection.QueryAsync<string>(
            """
            SELECT c.relname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'notify'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'enterprise_id' AND NOT a.attisdropped
            WHERE c.relkind = 'r'
            """);
        var total = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notify.enterprise WHERE id = @enterpriseId", new { enterpriseId });
        foreach (var table in tables)
        {
            total += await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM notify.\"{table}\" WHERE enterprise_id = @enterpriseId", new { enterpriseId });
        }

        return total;
    }

    private async Task<string> DeliveryStatusAsync(long notificationId)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<string>(
            "SELECT string_agg(DISTINCT status::text, ',') FROM notify.ent_notification_delivery WHERE notification_id = @notificationId",
            new { notificationId }) ?? "none";
    }
}
