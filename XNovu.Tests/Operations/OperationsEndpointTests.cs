using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using XNovu.Dispatcher.Dispatch;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Operations;

/// <summary>
/// The operator's endpoints against the real AppHost, in the healthy case. The degraded (Redis stopped) and
/// unhealthy (PostgreSQL stopped) answers are not exercised here: stopping either would break every other test
/// sharing the fixture.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class OperationsEndpointTests(XNovuAppFixture fixture)
{
    private const string EmulatorSecret = "xnovu-emulator-secret-key";

    [Fact]
    public async Task Health_is_200_and_healthy_with_every_component_probed()
    {
        using var client = fixture.CreateHttpClient("api");

        var answer = await client.GetAsync("/api/health");
        var text = await answer.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var health = JsonNode.Parse(text)!.AsObject();
        Assert.Equal("healthy", (string?)health["status"]);
        foreach (var component in new[] { "database", "redis", "novu", "workflows", "dispatchers", "history" })
        {
            var probe = health[component]!.AsObject();
            Assert.Equal("healthy", (string?)probe["status"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)probe["detail"]), component);
        }

        // Each of these is a round trip over a socket, timed: never 0 ms to a tenth.
        foreach (var component in new[] { "database", "redis", "novu", "dispatchers" })
        {
            Assert.True((double)health[component]!["durationMs"]! > 0, $"{component}: {health[component]}");
        }

        Assert.StartsWith("authorized", (string?)health["novu"]!["detail"], StringComparison.Ordinal);
        Assert.Matches("^[1-9][0-9]* static workflows loaded$", (string?)health["workflows"]!["detail"]);
        // The fixture runs two dispatcher replicas of two claim loops each; a replica killed by an earlier test
        // counts until its heartbeat expires, so at least two.
        var dispatchers = health["dispatchers"]!;
        Assert.True((int)dispatchers["liveReplicas"]! >= 2, dispatchers.ToJsonString());
        Assert.True((int)dispatchers["configuredLoops"]! >= 2 * new DispatcherOptions().Concurrency, dispatchers.ToJsonString());
        Assert.Equal((int)dispatchers["configuredLoops"]!, (int)dispatchers["runningLoops"]!);
        // Issue 32: the dispatchers keep a week of history partitions ahead (XNovu:Retention:PartitionsAhead).
        Assert.InRange((int)health["history"]!["daysAhead"]!, 6, 60);
        Assert.Contains("day(s) of history partitions ahead", (string?)health["history"]!["detail"], StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse((string?)health["timestamp"], out var timestamp));
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        AssertNoSecret(text);
    }

    [Fact]
    public async Task Metrics_reports_registry_uptime_memory_backlog_and_deliveries()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        // One delivery of each outcome, so that every count has something to count: sent, failed after five
        // attempts (so retried too), and one due 30 s ago that waits, held by its deactivated enterprise.
        var sent = await enterprise.Client.AcceptedAsync(TriggerApi.Later());
        var failed = await enterprise.Client.AcceptedAsync(TriggerApi.Later());
        await fixture.ForceStatusAsync(sent.Id(), "SENT");
        await fixture.ForceStatusAsync(failed.Id(), "FAILED");
        var held = await fixture.CreateEnterpriseAsync();
        var waiting = await held.Client.AcceptedAsync(TriggerApi.Later());
        using var client = fixture.CreateAdminClient();
        (await client.PostAsync($"/api/admin/enterprises/{held.Id}/deactivate", null)).EnsureSuccessStatusCode();
        await ExecuteAsOwnerAsync(
            "UPDATE notify.ent_notification_delivery SET next_attempt_at = now() - interval '30 seconds' WHERE notification_id = @id",
            new { id = waiting.Id() });
        try
        {
            var before = await DeliveryCountsAsync();
            var answer = await client.GetAsync("/api/metrics");
            var text = await answer.Content.ReadAsStringAsync();
            var after = await DeliveryCountsAsync();

            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var metrics = JsonNode.Parse(text)!.AsObject();
            var registry = metrics["registry"]!;
            Assert.True((long)registry["static"]! > 0);
            Assert.Equal((long)registry["static"]! + (long)registry["dynamic"]!, (long)registry["total"]!);
            Assert.True((long)registry["enterprises"]! >= 2);
            Assert.True((double)metrics["uptime"]!["seconds"]! > 0);
            Assert.True((long)metrics["memory"]!["workingSetBytes"]! > 0);
            Assert.True((long)metrics["memory"]!["gcHeapBytes"]! > 0);
            var backlog = metrics["backlog"]!;
            Assert.True((long)backlog["pending"]! >= 1, text);
            Assert.True((long)backlog["due"]! >= 1, text);
            Assert.True((long)backlog["due"]! <= (long)backlog["pending"]!, text);
            Assert.True((double)backlog["oldestPendingAgeSeconds"]! >= 30, text);
            // Counted over the whole table, which only grows while this test runs: between the owner's two counts.
            foreach (var (count, index) in new[] { ("sent", 0), ("failed", 1), ("retried", 2) })
            {
                var reported = (long)metrics["deliveries"]![count]!;
                Assert.True(before[index] >= 1, count);
                Assert.InRange(reported, before[index], after[index]);
            }

            AssertNoSecret(text);
        }
        finally
        {
            // Held and due: left so, it would make the dispatchers look stuck to /api/health within a minute.
            await ExecuteAsOwnerAsync(
                "UPDATE notify.ent_notification_delivery SET next_attempt_at = now() + interval '1 hour' WHERE notification_id = @id",
                new { id = waiting.Id() });
        }
    }

    private async Task ExecuteAsOwnerAsync(string sql, object parameters)
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    private async Task<long[]> DeliveryCountsAsync()
    {
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        var (sent, failed, retried) = await connection.QuerySingleAsync<(long, long, long)>(
            """
            SELECT count(*) FILTER (WHERE status = 'SENT'), count(*) FILTER (WHERE status = 'FAILED'), count(*) FILTER (WHERE attempts > 1)
            FROM notify.ent_notification_delivery
            """);
        return [sent, failed, retried];
    }

    [Fact]
    public async Task Dev_studio_status_says_novu_answers_and_shows_its_url_without_credentials()
    {
        using var client = fixture.CreateHttpClient("api");

        var answer = await client.GetAsync("/api/dev-studio-status");
        var text = await answer.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var status = JsonNode.Parse(text)!.AsObject();
        Assert.True((bool)status["available"]!, text);
        var url = new Uri((string)status["url"]!);
        Assert.True(url.Scheme is "http" or "https");
        Assert.Equal(string.Empty, url.UserInfo);
        Assert.True((double)status["latencyMs"]! > 0, text);
        Assert.Null(status["error"]);
        AssertNoSecret(text);
    }

    [Fact]
    public async Task System_wide_metrics_take_the_admin_key()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var anonymous = fixture.CreateHttpClient("api");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await enterprise.Client.GetAsync("/api/metrics")).StatusCode);
    }

    [Fact]
    public async Task Template_cache_stats_and_clear_concern_the_callers_enterprise_only_and_the_admin_sees_all()
    {
        var a = await fixture.CreateEnterpriseAsync();
        var b = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        // A preview by template key caches that template for its enterprise.
        var key = await a.Client.PublishedTemplateAsync("EMAIL");
        await a.Client.PostAsJsonAsync("/api/templates/preview", new { channelType = "EMAIL", templateKey = key, payload = new { name = "a" } });

        var seenByA = await (await a.Client.GetAsync("/api/templates/cache")).ReadObjectAsync();
        var seenByB = await (await b.Client.GetAsync("/api/templates/cache")).ReadObjectAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await b.Client.DeleteAsync("/api/templates/cache")).StatusCode);
        var afterB = await (await a.Client.GetAsync("/api/templates/cache")).ReadObjectAsync();
        var all = await (await admin.GetAsync("/api/admin/operations/template-cache")).ReadObjectAsync();

        Assert.Equal(1, (int)seenByA["total"]!);
        Assert.Equal(0, (int)seenByB["total"]!);
        Assert.Equal(0, (long)seenByB["misses"]!);
        Assert.Equal(1, (int)afterB["total"]!);
        Assert.True((int)all["total"]! >= 1);
    }

    [Fact]
    public async Task Template_cache_needs_an_enterprise_key()
    {
        using var anonymous = fixture.CreateHttpClient("api");
        using var admin = fixture.CreateAdminClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/templates/cache")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync("/api/templates/cache")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync("/api/templates/cache")).StatusCode);
    }

    [Fact]
    public async Task Template_cache_answers_its_stats_and_is_emptied_by_delete()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var key = await enterprise.Client.PublishedTemplateAsync("EMAIL");
        var preview = new { channelType = "EMAIL", templateKey = key, payload = new { name = "a" } };

        // A preview by key looks the template up through the API's engine: first a miss that keeps it, then a hit.
        (await enterprise.Client.PostAsJsonAsync("/api/templates/preview", preview)).EnsureSuccessStatusCode();
        var stats = await enterprise.Client.GetAsync("/api/templates/cache");
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        var first = await stats.ReadObjectAsync();
        (await enterprise.Client.PostAsJsonAsync("/api/templates/preview", preview)).EnsureSuccessStatusCode();
        var second = await (await enterprise.Client.GetAsync("/api/templates/cache")).ReadObjectAsync();

        Assert.Equal(1, (int)first["total"]!);
        Assert.Equal(1, (int)first["valid"]!);
        Assert.Equal(0, (int)first["expired"]!);
        Assert.True((long)first["misses"]! >= 1, first.ToJsonString());
        Assert.Equal((long)first["misses"]!, (long)second["misses"]!);
        Assert.True((long)second["hits"]! > (long)first["hits"]!, second.ToJsonString());

        var cleared = await enterprise.Client.DeleteAsync("/api/templates/cache");
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);

        var after = await (await enterprise.Client.GetAsync("/api/templates/cache")).ReadObjectAsync();
        Assert.Equal(0, (int)after["total"]!);
        Assert.Equal(0, (int)after["valid"]!);
    }

    [Theory]
    [InlineData("retry-failed")]
    [InlineData("clear-template-cache")]
    [InlineData("reload-rules")]
    public async Task Admin_operations_refuse_no_key_and_enterprise_keys(string operation)
    {
        using var anonymous = fixture.CreateHttpClient("api");
        var enterprise = await fixture.CreateEnterpriseAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/api/admin/operations/{operation}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await enterprise.Client.PostAsync($"/api/admin/operations/{operation}", null)).StatusCode);
    }

    [Fact]
    public async Task Admin_retry_failed_puts_failed_notifications_of_any_enterprise_back_to_pending()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        var accepted = await enterprise.Client.AcceptedAsync(TriggerApi.Later());
        await fixture.ForceStatusAsync(accepted.Id(), "FAILED");
        using var admin = fixture.CreateAdminClient();

        var answer = await admin.PostAsJsonAsync("/api/admin/operations/retry-failed", new { limit = 10_000 });
        var text = await answer.Content.ReadAsStringAsync();

        Assert.True(answer.StatusCode == HttpStatusCode.OK, text);
        var counts = JsonNode.Parse(text)!.AsObject();
        Assert.True((int)counts["notifications"]! >= 1, text);
        Assert.True((int)counts["deliveries"]! >= 1, text);
        Assert.NotEqual("FAILED", (string?)(await enterprise.Client.NotificationAsync(accepted.Id()))["status"]);
    }

    [Fact]
    public async Task Admin_retry_failed_refuses_a_limit_out_of_range()
    {
        using var admin = fixture.CreateAdminClient();

        var answer = await admin.PostAsJsonAsync("/api/admin/operations/retry-failed", new { limit = 0 });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
    }

    [Theory]
    [InlineData("clear-template-cache")]
    [InlineData("reload-rules")]
    public async Task Admin_operation_answers_what_it_did(string operation)
    {
        using var admin = fixture.CreateAdminClient();

        var answer = await admin.PostAsync($"/api/admin/operations/{operation}", null);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(operation, (string?)(await answer.ReadObjectAsync())["operation"]);
    }

    [Theory]
    [InlineData("retry-failed")]
    [InlineData("clear-template-cache")]
    [InlineData("reload-rules")]
    public async Task Dashboard_command_on_the_api_succeeds_with_the_admin_key(string command)
    {
        var commands = fixture.App.Services.GetRequiredService<Aspire.Hosting.ApplicationModel.ResourceCommandService>();

        var result = await commands.ExecuteCommandAsync("api", command);

        Assert.True(result.Success, result.Message);
    }

    [Fact]
    public async Task Trigger_counts_in_the_accepted_triggers_counter()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await enterprise.Client.AcceptedAsync(TriggerApi.Later());
        using var client = fixture.CreateHttpClient("api");

        var text = await Eventually.WaitForAsync(
            async () => (string?)await client.GetStringAsync("/metrics"),
            t => t?.Contains("xnovu_triggers_accepted_total{", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30),
            "xnovu_triggers_accepted_total at /metrics");

        // Counted without the workflow key: a label value a tenant chooses would be a cardinality and privacy leak.
        Assert.DoesNotContain("xnovu_workflow=", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alert_expressions_name_only_metrics_and_labels_the_services_serve()
    {
        using var api = fixture.CreateHttpClient("api");
        using var dispatcher = fixture.CreateHttpClient("dispatcher");
        await api.GetAsync("/api/health"); // at least one request, so the request histogram has a series

        // The backlog gauges appear after the API's first reading of the database.
        var served = await Eventually.WaitForAsync(
            async () => (string?)(await api.GetStringAsync("/metrics") + "\n" + await dispatcher.GetStringAsync("/metrics")),
            t => t?.Contains("xnovu_backlog_oldest_pending_age_seconds", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(45),
            "the backlog gauge at the API's /metrics");
        var seriesNames = served.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line.Split('{', ' ')[0])
            .ToHashSet(StringComparer.Ordinal);

        var rules = AlertRules.Parse(File.ReadAllText(AlertRules.FilePath));
        foreach (var rule in rules)
        {
            foreach (var metric in AlertRules.MetricNames(rule.Expr!).Except(AlertRules.PrometheusOwn))
            {
                Assert.True(seriesNames.Contains(metric), $"{rule.Name} reads {metric}, which no service serves.");
            }

            foreach (var label in AlertRules.LabelNames(rule.Expr!).Except(["job", "instance"]))
            {
                Assert.True(served.Contains(label + "=\"", StringComparison.Ordinal), $"{rule.Name} matches on label {label}, which no series has.");
            }
        }
    }

    private static void AssertNoSecret(string text)
    {
        Assert.DoesNotContain(XNovuAppFixture.AdminKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(EmulatorSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", text, StringComparison.OrdinalIgnoreCase);
    }
}
