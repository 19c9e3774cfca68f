using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using XNovu.Tests.Infrastructure;
using static XNovu.Tests.Infrastructure.ManagementApi;
using static XNovu.Tests.Infrastructure.TriggerApi;

namespace XNovu.Tests.Triggers;

/// <summary>
/// A single trigger without an Idempotency-Key is checked against the workflow and codes the API kept from the
/// last such trigger, with no lookup round trip; the shared commit stores it only if those rows are unchanged.
/// Each change below is made after a first trigger was accepted (and its lookup kept), some of them behind the
/// API's back, straight in PostgreSQL: the next trigger must be decided on the rows as they are now, and the
/// API's <c>/metrics</c> must show that it was first checked against the kept lookup (so the test proves the
/// re-check at commit, not a fresh lookup).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class TriggerLookupCacheTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task A_trigger_after_an_accepted_one_makes_no_lookup_while_a_keyed_one_still_reads_its_stored_answer()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await enterprise.Client.AcceptedAsync(Later());

        // Every lookup reads notify.idempotency_key (the stored answer of the key, if any), and nothing else a
        // trigger without a key does touches it: while it is locked, only a trigger that makes no lookup gets through.
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("LOCK TABLE notify.idempotency_key IN ACCESS EXCLUSIVE MODE", transaction: transaction);
        var keyed = enterprise.Client.PostTriggerAsync(Later(), idempotencyKey: $"key-{Guid.NewGuid():N}");
        var kept = enterprise.Client.PostTriggerAsync(Later());

        var first = await Task.WhenAny(kept, Task.Delay(TimeSpan.FromSeconds(30)));
        var keyedWaited = !keyed.IsCompleted;
        await transaction.RollbackAsync();

        Assert.Same(kept, first);
        Assert.Equal(HttpStatusCode.Accepted, (await kept).StatusCode);
        Assert.True(keyedWaited, "the keyed trigger did not wait for the lock: the lock proves nothing");
        Assert.Equal(HttpStatusCode.Accepted, (await keyed).StatusCode);
        Assert.Equal(3, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task A_payload_schema_changed_in_the_database_refuses_the_next_trigger_that_breaks_it()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var workflow = await enterprise.Client.WorkflowAsync(publish: true);
        await enterprise.Client.AcceptedAsync(Later(workflow, payload: new { name = "Ada" }));
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await connection.ExecuteAsync(
            """
            UPDATE notify.ent_notification_workflow
            SET payload_schema = '{"type": "object", "required": ["age"]}'
            WHERE enterprise_id = @enterpriseId AND workflow_key = @workflow
            """,
            new { enterpriseId = enterprise.Id, workflow });
        var stale = await StaleCountAsync();

        var refused = await enterprise.Client.PostTriggerAsync(Later(workflow, payload: new { name = "Ada" }));

        await AssertCountedStaleAsync(stale);
        var errors = await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, ValidationType);
        Assert.Contains("required", errors.FieldError("payload.age"));
        Assert.Equal(1, await fixture.CountNotificationsAsync(enterprise.Id));
        await enterprise.Client.AcceptedAsync(Later(workflow, payload: new { name = "Ada", age = 36 }));
    }

    [Fact]
    public async Task An_own_workflow_created_after_a_static_trigger_shadows_the_static_one_for_the_next_trigger()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await enterprise.Client.AcceptedAsync(Later());
        var template = await enterprise.Client.PublishedTemplateAsync("EMAIL");
        await enterprise.Client.CreateAsync("/api/workflows", Workflow(StaticWorkflow, ["EMAIL"], new() { ["EMAIL"] = template }));
        var stale = await StaleCountAsync();

        var shadowed = await enterprise.Client.PostTriggerAsync(Later());

        await AssertCountedStaleAsync(stale);
        await shadowed.AssertProblemAsync(HttpStatusCode.Conflict, ConflictType);
        Assert.Equal(1, await fixture.CountNotificationsAsync(enterprise.Id));
    }

    [Fact]
    public async Task Codes_moved_to_other_rows_store_the_next_trigger_under_the_new_ones()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var code = Key("code");
        await enterprise.Client.CreateAsync("/api/categories", new { code, name = "First" });
        await enterprise.Client.CreateAsync("/api/priorities", new { code, name = "First" });
        var first = await enterprise.Client.AcceptedAsync(WithCodes(code));
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await connection.ExecuteAsync(
            """
            UPDATE notify.typ_notification_category SET code = code || '-old' WHERE enterprise_id = @enterpriseId AND code = @code;
            UPDATE notify.typ_notification_priority SET code = code || '-old' WHERE enterprise_id = @enterpriseId AND code = @code;
            """,
            new { enterpriseId = enterprise.Id, code });
        await enterprise.Client.CreateAsync("/api/categories", new { code, name = "Second" });
        await enterprise.Client.CreateAsync("/api/priorities", new { code, name = "Second" });
        var stale = await StaleCountAsync();

        var second = await enterprise.Client.AcceptedAsync(WithCodes(code));

        await AssertCountedStaleAsync(stale);
        var codes = (await connection.QueryAsync<(long Id, string Category, string Priority)>(
            """
            SELECT n.id, c.code, p.code
            FROM notify.ent_notification n
            JOIN notify.typ_notification_category c ON c.id = n.notification_category_id
            JOIN notify.typ_notification_priority p ON p.id = n.notification_priority_id
            WHERE n.enterprise_id = @enterpriseId
            """,
            new { enterpriseId = enterprise.Id })).ToDictionary(r => r.Id, r => (r.Category, r.Priority));
        Assert.Equal(($"{code}-old", $"{code}-old"), codes[first.Id()]);
        Assert.Equal((code, code), codes[second.Id()]);
    }

    [Fact]
    public async Task A_workflow_kept_for_one_enterprise_is_never_used_for_another_with_the_same_key()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        var workflow = await a.Client.WorkflowAsync(publish: true);
        await a.Client.AcceptedAsync(Later(workflow, payload: new { name = "Ada" }));

        var answer = await b.Client.PostTriggerAsync(Later(workflow, payload: new { name = "Ada" }));

        await answer.AssertProblemAsync(HttpStatusCode.NotFound, NotFoundType);
        Assert.Equal(0, await fixture.CountNotificationsAsync(b.Id));
    }

    private static JsonObject WithCodes(string code) =>
        Trigger(extra: new() { ["categoryCode"] = code, ["priorityCode"] = code, ["scheduledFor"] = DateTimeOffset.UtcNow.AddHours(1) });

    /// <summary>
    /// The API's count of kept lookups found changed at the commit (<c>xnovu.triggers.lookups</c>, outcome stale).
    /// The collections run one at a time, so only this test's triggers move it.
    /// </summary>
    private async Task<long> StaleCountAsync()
    {
        using var api = fixture.CreateHttpClient("api");
        var text = await api.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return text.Split('\n')
            .Where(line => line.StartsWith("xnovu_triggers_lookups_total{", StringComparison.Ordinal)
                && line.Contains("xnovu_outcome=\"stale\"", StringComparison.Ordinal))
            // `name{labels} value [timestamp]`
            .Sum(line => (long)double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
    }

    /// <summary>The trigger was checked against its kept lookup (no round trip) and the commit found it changed.</summary>
    private async Task AssertCountedStaleAsync(long before)
    {
        // The exporter may answer a scrape from its cache for a moment.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long now;
        while ((now = await StaleCountAsync()) <= before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(now > before, "the trigger was not checked against a kept lookup that the commit found changed");
    }
}
