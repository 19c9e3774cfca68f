using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Hostile;

/// <summary>
/// A hostile caller's battery across every writing endpoint and the list filters: NUL characters, unpaired
/// surrogates, invalid UTF-8, oversized strings, wrong types, JSON 1,000 levels deep, huge arrays, hostile
/// templates and payloads. Every request must be a 4xx problem (never a 5xx), and the enterprise's rows, in
/// every table, and the number of enterprises must be exactly what they were.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class HostileInputBatteryTests(XNovuAppFixture fixture)
{
    /// <summary>One hostile request: {id} is the enterprise's id; Admin sends the admin key instead of the enterprise's.</summary>
    /// <param name="RefusedByServer">Kestrel itself refuses the request line (a NUL in the path) with a bare 400 before the app sees it.</param>
    public sealed record HostileCase(
        string Name, string Method, string Url, string? Json = null, bool Admin = false, string? IdempotencyKey = null, byte[]? RawBody = null,
        bool RefusedByServer = false)
    {
        public override string ToString() => Name;
    }

    private const string Nul = "\\u0000";
    private const string LoneSurrogate = "\\ud800";
    private const string LoneLowSurrogate = "x\\udc00y";

    /// <summary>A valid body of each writing endpoint, and the string field to poison in it.</summary>
    private static readonly (string Label, string Method, string Url, bool Admin, string Field, Func<string, string> Body)[] Endpoints =
    [
        ("create template", "POST", "/api/templates", false, "name",
            v => $$$$"""{"templateKey":"t-hostile","name":{{{{v}}}},"channelType":"EMAIL","subjectTemplate":"s","bodyTemplate":"b"}"""),
        ("update template", "PUT", "/api/templates/t-hostile", false, "bodyTemplate",
            v => $$$$"""{"templateKey":"t-hostile","name":"n","channelType":"EMAIL","bodyTemplate":{{{{v}}}}}"""),
        ("preview", "POST", "/api/templates/preview", false, "bodyTemplate",
            v => $$$$"""{"channelType":"EMAIL","bodyTemplate":{{{{v}}}},"payload":{}}"""),
        ("digest preview", "POST", "/api/templates/preview", false, "digestEvents",
            v => $$$$"""{"channelType":"EMAIL","bodyTemplate":"{{ digest.eventCount }}","digestEvents":{{{{v}}}}}"""),
        ("create workflow", "POST", "/api/workflows", false, "name",
            v => $$$$"""{"workflowKey":"wf-hostile","name":{{{{v}}}},"defaultChannels":["EMAIL"]}"""),
        ("update workflow", "PUT", "/api/workflows/wf-hostile", false, "description",
            v => $$$$"""{"workflowKey":"wf-hostile","name":"n","description":{{{{v}}}}}"""),
        ("create rule", "POST", "/api/rules", false, "name",
            v => $$$$"""{"name":{{{{v}}}},"workflowKey":"default-email","triggerType":"EVENT","triggerConfig":{"eventName":"e"}}"""),
        ("update rule", "PUT", "/api/rules/1", false, "description",
            v => $$$$"""{"name":"n","description":{{{{v}}}},"workflowKey":"default-email","triggerType":"EVENT","triggerConfig":{"eventName":"e"}}"""),
        ("create category", "POST", "/api/categories", false, "name", v => $$$$"""{"code":"c-hostile","name":{{{{v}}}}}"""),
        ("create priority", "POST", "/api/priorities", false, "description", v => $$$$"""{"code":"p-hostile","name":"n","description":{{{{v}}}}}"""),
        ("trigger", "POST", "/api/trigger", false, "to",
            v => $$$$"""{"workflowId":"default-email","to":{{{{v}}}},"payload":{"subject":"s","body":"b"}}"""),
        ("fire event", "POST", "/api/events", false, "name", v => $$$$"""{"name":{{{{v}}}},"payload":{}}"""),
        ("create enterprise", "POST", "/api/admin/enterprises", true, "name", v => $$$$"""{"name":{{{{v}}}}}"""),
        ("rename enterprise", "PATCH", "/api/admin/enterprises/{id}", true, "name", v => $$$$"""{"name":{{{{v}}}}}"""),
        ("create key", "POST", "/api/admin/enterprises/{id}/api-keys", true, "name", v => $$$$"""{"name":{{{{v}}}}}"""),
        ("create subscriber", "POST", "/api/subscribers", false, "firstName", v => $$$$"""{"subscriberId":"s-hostile","firstName":{{{{v}}}}}"""),
        ("create topic", "POST", "/api/topics", false, "name", v => $$$$"""{"topicKey":"t-hostile","name":{{{{v}}}}}"""),
        ("create webhook endpoint", "POST", "/api/webhooks/endpoints", false, "description",
            v => $$$$"""{"url":"https://hooks.example.com/x","eventTypes":["notification.accepted"],"description":{{{{v}}}}}"""),
        ("subscriber preferences", "PATCH", "/api/subscribers/s-hostile/preferences", false, "workflowId",
            v => $$$$"""{"workflowId":{{{{v}}}},"channels":{"email":false}}"""),
        ("preference default", "PUT", "/api/preferences/defaults/workflows/default-email", false, "channels", v => $$$$"""{"channels":{{{{v}}}},"forced":false}"""),
        ("digest", "PUT", "/api/workflows/default-email/digest", false, "unit", v => $$$$"""{"type":"regular","amount":5,"unit":{{{{v}}}}}"""),
        ("create layout", "POST", "/api/layouts", false, "name",
            v => $$$$"""{"layoutKey":"l-hostile","name":{{{{v}}}},"headerHtml":"<p>h</p>","footerHtml":"<p>f</p>"}"""),
        ("layout preview of unsaved fields", "POST", "/api/layouts/l-hostile/preview", false, "draft.headerHtml",
            v => $$$$"""{"bodyTemplate":"<p>b</p>","draft":{"headerHtml":{{{{v}}}},"footerHtml":"<p>f</p>"}}"""),
        ("localization settings", "PUT", "/api/localization", false, "defaultLocale", v => $$$$"""{"defaultLocale":{{{{v}}}}}"""),
        ("translation catalog", "PUT", "/api/translations/fr", false, "greeting", v => $$$$"""{"greeting":{{{{v}}}}}"""),
        ("original ids", "PUT", "/api/original-ids", false, "key", v => $$$$"""{"items":[{"kind":"workflow","originalId":1,"key":{{{{v}}}}}]}"""),
    ];

    public static TheoryData<HostileCase> Cases()
    {
        var data = new TheoryData<HostileCase>();
        var deep = new string('[', 1000) + new string(']', 1000);
        var huge = "\"" + new string('x', 300_000) + "\"";
        foreach (var (label, method, url, admin, field, body) in Endpoints)
        {
            data.Add(new HostileCase($"{label}: NUL in {field}", method, url, body($"\"a{Nul}b\""), admin));
            data.Add(new HostileCase($"{label}: lone high surrogate in {field}", method, url, body($"\"{LoneSurrogate}\""), admin));
            data.Add(new HostileCase($"{label}: lone low surrogate in {field}", method, url, body($"\"{LoneLowSurrogate}\""), admin));
            data.Add(new HostileCase($"{label}: NUL in a property name", method, url, body("\"n\"").Replace("{", "{\"bad" + Nul + "key\":1,", StringComparison.Ordinal), admin));
            data.Add(new HostileCase($"{label}: JSON 1000 deep", method, url, body("\"n\"").Replace("{", "{\"deep\":" + deep + ",", StringComparison.Ordinal), admin));
            data.Add(new HostileCase($"{label}: wrong type (number) for {field}", method, url, body("12345"), admin));
            data.Add(new HostileCase($"{label}: body is an array", method, url, "[1,2,3]", admin));
            data.Add(new HostileCase($"{label}: 300 KB string in {field}", method, url, body(huge), admin));
            data.Add(new HostileCase($"{label}: invalid UTF-8", method, url, null, admin, RawBody: InvalidUtf8(body("\"@@\""))));
        }

        // Huge arrays and recipient abuse where values are stored.
        var manyRecipients = "[" + string.Join(',', Enumerable.Range(0, 5002).Select(i => $"\"s{i}\"")) + "]";
        var manyEvents = "[" + string.Join(',', Enumerable.Range(0, 1001).Select(_ => """{"workflowId":"default-email","to":"a"}""")) + "]";
        data.Add(new HostileCase("trigger: 5002 recipients", "POST", "/api/trigger", $$$$"""{"workflowId":"default-email","to":{{{{manyRecipients}}}}}"""));
        data.Add(new HostileCase("trigger: recipient is a number", "POST", "/api/trigger", """{"workflowId":"default-email","to":[5]}"""));
        data.Add(new HostileCase("trigger: recipient object without id", "POST", "/api/trigger", """{"workflowId":"default-email","to":{"email":"a@b.c"}}"""));
        data.Add(new HostileCase("trigger: timezone is a number", "POST", "/api/trigger", """{"workflowId":"default-email","to":{"subscriberId":"x","timezone":5}}"""));
        data.Add(new HostileCase("trigger: Timezone (other case) is a number", "POST", "/api/trigger", """{"workflowId":"default-email","to":{"subscriberId":"x","TimeZone":5}}"""));
        data.Add(new HostileCase("trigger: unknown recipient field", "POST", "/api/trigger", """{"workflowId":"default-email","to":{"subscriberId":"x","emial":"a@b.c"}}"""));
        data.Add(new HostileCase("trigger: channels is an object", "POST", "/api/trigger", """{"workflowId":"default-email","to":{"subscriberId":"x","channels":{}}}"""));
        data.Add(new HostileCase("trigger: empty subscriber id", "POST", "/api/trigger", """{"workflowId":"default-email","to":" "}"""));
        data.Add(new HostileCase("trigger: NUL in subscriber id", "POST", "/api/trigger", $$$$"""{"workflowId":"default-email","to":"a{{{{Nul}}}}"}"""));
        data.Add(new HostileCase("trigger: NUL in a payload key", "POST", "/api/trigger", $$$$"""{"workflowId":"default-email","to":"a","payload":{"k{{{{Nul}}}}":1}}"""));
        data.Add(new HostileCase("trigger: NUL in overrides", "POST", "/api/trigger", $$$$"""{"workflowId":"default-email","to":"a","overrides":{"email":{"x":"{{{{Nul}}}}"}}}"""));
        data.Add(new HostileCase("trigger: NUL in a tag", "POST", "/api/trigger", $$$$"""{"workflowId":"default-email","to":"a","tags":["{{{{Nul}}}}"]}"""));
        data.Add(new HostileCase("trigger: 10000 tags", "POST", "/api/trigger", $$$$"""{"workflowId":"default-email","to":"a","tags":[{{{{string.Join(',', Enumerable.Repeat("\"t\"", 10_000))}}}}]}"""));
        data.Add(new HostileCase("trigger: payload is a string", "POST", "/api/trigger", """{"workflowId":"default-email","to":"a","payload":"x"}"""));
        data.Add(new HostileCase("trigger: a control character in the Idempotency-Key", "POST", "/api/trigger", """{"workflowId":"default-email","to":"a"}""", IdempotencyKey: "key\u0001x"));
        data.Add(new HostileCase("trigger: 300-character Idempotency-Key", "POST", "/api/trigger", """{"workflowId":"default-email","to":"a"}""", IdempotencyKey: new string('k', 300)));
        data.Add(new HostileCase("bulk: 1001 events", "POST", "/api/trigger/bulk", $$$$"""{"events":{{{{manyEvents}}}}}"""));
        data.Add(new HostileCase("bulk: events is an object", "POST", "/api/trigger/bulk", """{"events":{}}"""));
        data.Add(new HostileCase("bulk: JSON 1000 deep", "POST", "/api/trigger/bulk", "{\"events\":" + deep + "}"));
        data.Add(new HostileCase("rule: 5002 recipients", "POST", "/api/rules",
            $$$$"""{"name":"n","workflowKey":"default-email","triggerType":"EVENT","triggerConfig":{"eventName":"e"},"rulePayload":{"recipients":{{{{manyRecipients}}}}}}"""));
        data.Add(new HostileCase("rule: recipient is a number", "POST", "/api/rules",
            """{"name":"n","workflowKey":"default-email","triggerType":"EVENT","triggerConfig":{"eventName":"e"},"rulePayload":{"recipients":[1]}}"""));
        data.Add(new HostileCase("rule: recipient timezone is a number", "POST", "/api/rules",
            """{"name":"n","workflowKey":"default-email","triggerType":"EVENT","triggerConfig":{"eventName":"e"},"rulePayload":{"recipients":[{"subscriberId":"x","timezone":5}]}}"""));
        data.Add(new HostileCase("rule: every-second cron", "POST", "/api/rules",
            """{"name":"n","workflowKey":"default-email","triggerType":"CRON","triggerConfig":{"cron":"* * * * * *"}}"""));
        data.Add(new HostileCase("rule: NUL in the event name", "POST", "/api/rules",
            $$$$"""{"name":"n","workflowKey":"default-email","triggerType":"EVENT","triggerConfig":{"eventName":"e{{{{Nul}}}}"}}"""));
        data.Add(new HostileCase("template: 300 KB body", "POST", "/api/templates",
            $$$$"""{"templateKey":"t-big","name":"n","channelType":"EMAIL","bodyTemplate":"{{{{new string('b', 300 * 1024)}}}}"}"""));
        data.Add(new HostileCase("template: 3000-character description", "POST", "/api/templates",
            $$$$"""{"templateKey":"t-desc","name":"n","description":"{{{{new string('d', 3000)}}}}","channelType":"EMAIL","bodyTemplate":"b"}"""));
        data.Add(new HostileCase("template: 150-character key", "POST", "/api/templates",
            $$$$"""{"templateKey":"{{{{new string('k', 150)}}}}","name":"n","channelType":"EMAIL","bodyTemplate":"b"}"""));
        data.Add(new HostileCase("template: unclosed Liquid tag", "POST", "/api/templates",
            """{"templateKey":"t-liquid","name":"n","channelType":"EMAIL","bodyTemplate":"{% for x in payload.items %}"}"""));
        data.Add(new HostileCase("template: unknown Liquid tag", "POST", "/api/templates",
            """{"templateKey":"t-liquid2","name":"n","channelType":"EMAIL","bodyTemplate":"{% include '/etc/passwd' %}{% evil %}"}"""));
        data.Add(new HostileCase("preview: 21 digest events", "POST", "/api/templates/preview",
            $$$$"""{"channelType":"EMAIL","bodyTemplate":"b","digestEvents":[{{{{string.Join(',', Enumerable.Repeat("{}", 21))}}}}]}"""));
        data.Add(new HostileCase("preview: a digest event that is not an object", "POST", "/api/templates/preview",
            """{"channelType":"EMAIL","bodyTemplate":"b","digestEvents":[1]}"""));
        data.Add(new HostileCase("workflow: 10000 default channels", "POST", "/api/workflows",
            $$$$"""{"workflowKey":"wf-many","name":"n","defaultChannels":[{{{{string.Join(',', Enumerable.Repeat("\"EMAIL\"", 10_000))}}}}]}"""));
        data.Add(new HostileCase("workflow: payload schema is not a schema", "POST", "/api/workflows",
            """{"workflowKey":"wf-schema","name":"n","payloadSchema":{"type":12}}"""));
        data.Add(new HostileCase("category: 500-character code", "POST", "/api/categories", $$$$"""{"code":"{{{{new string('c', 500)}}}}","name":"n"}"""));
        data.Add(new HostileCase("event: 3000-character name", "POST", "/api/events", $$$$"""{"name":"{{{{new string('e', 3000)}}}}"}"""));
        data.Add(new HostileCase("event: payload is an array", "POST", "/api/events", """{"name":"e","payload":[1]}"""));
        data.Add(new HostileCase("enterprise: 3000-character description", "POST", "/api/admin/enterprises", $$$$"""{"name":"n","description":"{{{{new string('d', 3000)}}}}"}""", Admin: true));
        data.Add(new HostileCase("rate limit: negative", "PUT", "/api/admin/enterprises/{id}/rate-limit", """{"triggersPerSecond":-1}""", Admin: true));
        data.Add(new HostileCase("rule limits: zero seconds", "PUT", "/api/admin/enterprises/{id}/rule-limits", """{"minCronIntervalSeconds":0}""", Admin: true));
        data.Add(new HostileCase("cancel: NUL in the reason", "POST", "/api/notifications/1/cancel", $$$$"""{"reason":"{{{{Nul}}}}"}"""));

        // Filters, route values and lists.
        data.Add(new HostileCase("list notifications: NUL in status", "GET", "/api/notifications?status=%00"));
        data.Add(new HostileCase("list notifications: NUL in workflowId", "GET", "/api/notifications?workflowId=a%00b"));
        data.Add(new HostileCase("list notifications: limit is text", "GET", "/api/notifications?limit=abc"));
        data.Add(new HostileCase("list rules: NUL in workflowKey", "GET", "/api/rules?workflowKey=%00"));
        data.Add(new HostileCase("list workflows: NUL in workflowType", "GET", "/api/workflows?workflowType=%00"));
        data.Add(new HostileCase("get template: NUL in the key", "GET", "/api/templates/a%00b", RefusedByServer: true));
        data.Add(new HostileCase("get workflow: NUL in the key", "GET", "/api/workflows/a%00b", RefusedByServer: true));
        data.Add(new HostileCase("get category: NUL in the code", "GET", "/api/categories/a%00b", RefusedByServer: true));
        data.Add(new HostileCase("publish template: NUL in the key", "POST", "/api/templates/a%00b/publish", RefusedByServer: true));
        data.Add(new HostileCase("get template: invalid UTF-8 in the key", "GET", "/api/templates/a%ED%A0%80b"));
        data.Add(new HostileCase("put category: NUL in the body's code", "PUT", "/api/categories/c1", $$$$"""{"code":"c1{{{{Nul}}}}","name":"n"}"""));
        data.Add(new HostileCase("delete priority: NUL in the code", "DELETE", "/api/priorities/a%00b", RefusedByServer: true));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hostile_request_is_a_4xx_problem_and_writes_nothing(HostileCase hostile)
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        using var admin = fixture.CreateAdminClient();
        var client = hostile.Admin ? admin : enterprise.Client;
        var before = await RowsAsync(enterprise.Id);

        using var request = new HttpRequestMessage(new HttpMethod(hostile.Method), hostile.Url.Replace("{id}", enterprise.Id.ToString(), StringComparison.Ordinal));
        if (hostile.RawBody is { } raw)
        {
            request.Content = new ByteArrayContent(raw);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        else if (hostile.Json is { } json)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (hostile.IdempotencyKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        var answer = await client.SendAsync(request);
        var text = await answer.Content.ReadAsStringAsync();

        Assert.True((int)answer.StatusCode is >= 400 and < 500, $"{hostile.Name}: {(int)answer.StatusCode} {Shorten(text)}");
        if (hostile.RefusedByServer)
        {
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        }
        else
        {
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("https://xnovu.dev/problems/", (string?)JsonNode.Parse(text)!["type"]);
        }

        Assert.Equal(before, await RowsAsync(enterprise.Id));
    }

    /// <summary>The enterprise's rows in every table that has an enterprise_id, and how many enterprises exist.</summary>
    private async Task<string> RowsAsync(Guid enterpriseId)
    {
        await using var connection = new NpgsqlConnection(await fixture.ConnectionStringAsync("xnovu"));
        await connection.OpenAsync();
        var tables = await connection.QueryAsync<string>(
            """
            SELECT c.relname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'notify'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'enterprise_id' AND NOT a.attisdropped
            WHERE c.relkind = 'r' ORDER BY c.relname
            """);
        var counts = new List<string> { $"enterprises={await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notify.enterprise")}" };
        foreach (var table in tables)
        {
            counts.Add($"{table}={await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM notify.\"{table}\" WHERE enterprise_id = @enterpriseId", new { enterpriseId })}");
        }

        var enterprise = await connection.QuerySingleAsync<(string Name, string? Description)>(
            "SELECT name, description FROM notify.enterprise WHERE id = @enterpriseId", new { enterpriseId });
        counts.Add($"name={enterprise.Name}|{enterprise.Description}");
        return string.Join(", ", counts);
    }

    /// <summary>The JSON with its "@@" placeholder replaced by bytes that are not UTF-8 (a lone continuation byte, an encoded surrogate).</summary>
    private static byte[] InvalidUtf8(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json).ToList();
        var at = bytes.IndexOf((byte)'@');
        bytes.RemoveRange(at, 2);
        bytes.InsertRange(at, new byte[] { 0x80, 0xED, 0xA0, 0x80 });
        return [.. bytes];
    }

    private static string Shorten(string text) => text.Length > 400 ? text[..400] : text;
}
