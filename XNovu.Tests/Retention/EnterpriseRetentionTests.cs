using System.Net;
using System.Net.Http.Json;
using System.Text;
using XNovu.Tests.Infrastructure;
using XNovu.Tests.Rules;

namespace XNovu.Tests.Retention;

/// <summary>
/// Issue 32: an enterprise's own retention, shorter than the deployment's, set by the admin only. Two tenants with
/// history of the same ages; the hostile one sets one day: its finished history older than that is hidden from its
/// reads at once and deleted by the dispatchers' retention pass with its deliveries, events and transaction keys,
/// while its young and unfinished work stays, and the other tenant's history is untouched.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class EnterpriseRetentionTests(XNovuAppFixture fixture)
{
    private readonly RuleHarness _db = new(fixture);

    private sealed record History(long OldSent, long OldFailed, long Young, long OldUnfinished, long OldDelivery);

    /// <summary>Notifications of the given ages, the old SENT one with a delivery, a delivery event and its transaction key.</summary>
    private async Task<History> SeedAsync(Guid enterprise)
    {
        Task<long> Insert(string status, string age, DateTimeOffset? scheduledFor = null) => _db.ScalarAsync<long>(
            """
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, notification_status, created_at, scheduled_for, transaction_id)
            VALUES (@enterprise, 'default-sms', @status::notify.notification_status, now() - @age::interval, @scheduled, gen_random_uuid()::text)
            RETURNING id
            """,
            ("enterprise", enterprise), ("status", status), ("age", age), ("scheduled", (object?)scheduledFor ?? DBNull.Value));

        var oldSent = await Insert("SENT", "2 days");
        var oldFailed = await Insert("FAILED", "10 days");
        var young = await Insert("SENT", "1 hour");
        var oldUnfinished = await Insert("PENDING", "3 days", DateTimeOffset.UtcNow.AddDays(1));
        var delivery = await _db.ScalarAsync<long>(
            """
            INSERT INTO notify.ent_notification_delivery (enterprise_id, notification_id, ordinal, status, transaction_id)
            VALUES (@enterprise, @id, 1, 'SENT', 'retention-' || @id) RETURNING id
            """,
            ("enterprise", enterprise), ("id", oldSent));
        await _db.ExecuteAsync(
            """
            INSERT INTO notify.ent_delivery_event (enterprise_id, delivery_id, event, occurred_at, novu_message_id, source)
            VALUES (@enterprise, @delivery, 'delivered', now() - interval '2 days', 'm-' || @delivery, 'webhook')
            """,
            ("enterprise", enterprise), ("delivery", delivery));
        return new History(oldSent, oldFailed, young, oldUnfinished, delivery);
    }

    private Task<long> CountAsync(string sql, long id) => _db.ScalarAsync<long>(sql, ("id", id));

    private async Task<(long Notifications, long Deliveries, long Events, long Keys)> RowsOfAsync(long notification, long delivery) => (
        await CountAsync("SELECT count(*) FROM notify.ent_notification WHERE id = @id", notification),
        await CountAsync("SELECT count(*) FROM notify.ent_notification_delivery WHERE id = @id", delivery),
        await CountAsync("SELECT count(*) FROM notify.ent_delivery_event WHERE delivery_id = @id", delivery),
        await CountAsync("SELECT count(*) FROM notify.notification_transaction WHERE notification_id = @id", notification));

    private static async Task<HashSet<long>> ListedAsync(HttpClient client)
    {
        var page = await (await client.GetAsync("/api/notifications?limit=200")).ReadObjectAsync();
        return page["items"]!.AsArray().Select(n => (long)n!["id"]!).ToHashSet();
    }

    [Fact]
    public async Task A_one_day_retention_hides_then_deletes_that_enterprises_old_history_and_leaves_the_other_tenants_alone()
    {
        var hostile = await fixture.CreateEnterpriseAsync();
        var other = await fixture.CreateEnterpriseAsync();
        var mine = await SeedAsync(hostile.Id);
        var theirs = await SeedAsync(other.Id);
        using var admin = fixture.CreateAdminClient();

        // An enterprise's own key cannot set a retention, neither its own nor another's: the routes are the admin's.
        foreach (var target in new[] { hostile.Id, other.Id })
        {
            var refused = await hostile.Client.PutAsJsonAsync($"/api/admin/enterprises/{target}/retention", new { retentionDays = 1 });
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var set = await admin.PutAsJsonAsync($"/api/admin/enterprises/{hostile.Id}/retention", new { retentionDays = 1 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var answer = await set.ReadObjectAsync();
        Assert.Equal(1, (int)answer["retentionDays"]!);
        Assert.Equal(90, (int)answer["maxRetentionDays"]!);
        Assert.Null((await (await admin.GetAsync($"/api/admin/enterprises/{other.Id}/retention")).ReadObjectAsync())["retentionDays"]);

        // Hidden at once, before any delete: the finished notifications past a day; unfinished work stays visible.
        var listed = await ListedAsync(hostile.Client);
        Assert.Equal(new[] { mine.Young, mine.OldUnfinished }.Order(), listed.Order());
        Assert.Equal(HttpStatusCode.NotFound, (await hostile.Client.GetAsync($"/api/notifications/{mine.OldSent}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hostile.Client.GetAsync($"/api/notifications/{mine.OldUnfinished}")).StatusCode);
        Assert.Equal(new[] { theirs.OldSent, theirs.OldFailed, theirs.Young, theirs.OldUnfinished }.Order(), (await ListedAsync(other.Client)).Order());

        // The dispatchers' retention pass (at start) deletes them, with their deliveries, events and keys.
        var passesBefore = RetentionTests.RetentionPasses(fixture);
        await using (var harness = new DispatchHarness(fixture))
        {
            await harness.KillAndRestartDispatchersAsync();
        }

        await Eventually.WaitForAsync(
            () => Task.FromResult(RetentionTests.RetentionPasses(fixture)), n => n >= passesBefore + 2, TimeSpan.FromSeconds(90),
            "a retention pass of each restarted dispatcher");

        Assert.Equal((0L, 0L, 0L, 0L), await RowsOfAsync(mine.OldSent, mine.OldDelivery));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM notify.ent_notification WHERE id = @id", mine.OldFailed));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM notify.ent_notification WHERE id = @id", mine.Young));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM notify.ent_notification WHERE id = @id", mine.OldUnfinished));

        // The other tenant's history of the same ages is all there.
        Assert.Equal((1L, 1L, 1L, 1L), await RowsOfAsync(theirs.OldSent, theirs.OldDelivery));
        Assert.Equal(4L, await _db.ScalarAsync<long>("SELECT count(*) FROM notify.ent_notification WHERE enterprise_id = @e", ("e", other.Id)));

        // Back to the deployment's retention: what is left is shown again.
        var reset = await admin.PutAsJsonAsync($"/api/admin/enterprises/{hostile.Id}/retention", new { retentionDays = (int?)null });
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Null((await reset.ReadObjectAsync())["retentionDays"]);
    }

    [Theory]
    [InlineData("""{"retentionDays":"abc"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"retentionDays":1.5}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"retentionDays":1e12}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"retentionDays":99999999999999999999}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"retentionDays":[1]}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"retentionDays":-1}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"retentionDays":0}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"retentionDays":91}""", HttpStatusCode.UnprocessableEntity)]
    [InlineData("""{"retentionDays":2147483647}""", HttpStatusCode.UnprocessableEntity)]
    public async Task An_invalid_retention_is_a_problem_and_writes_nothing(string body, HttpStatusCode expected)
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        (await admin.PutAsJsonAsync($"/api/admin/enterprises/{enterprise.Id}/retention", new { retentionDays = 5 })).EnsureSuccessStatusCode();

        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var answer = await admin.PutAsync($"/api/admin/enterprises/{enterprise.Id}/retention", content);

        Assert.Equal(expected, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.NotNull((await answer.ReadObjectAsync())["type"]);
        Assert.Equal(5, (int)(await (await admin.GetAsync($"/api/admin/enterprises/{enterprise.Id}/retention")).ReadObjectAsync())["retentionDays"]!);
        Assert.Equal(5, await _db.ScalarAsync<int>("SELECT retention_days FROM notify.enterprise WHERE id = @e", ("e", enterprise.Id)));
    }

    [Fact]
    public async Task The_retention_of_an_unknown_enterprise_is_404()
    {
        using var admin = fixture.CreateAdminClient();
        var answer = await admin.PutAsJsonAsync($"/api/admin/enterprises/{Guid.NewGuid()}/retention", new { retentionDays = 1 });
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }
}
