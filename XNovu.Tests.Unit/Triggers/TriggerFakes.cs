using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;
using XNovu.Api.Triggers;
using XNovu.Core.Persistence;
using XNovu.Core.Workflows;

namespace XNovu.Tests.Unit.Triggers;

/// <summary>The trigger path's parts built without a database: nothing here opens a connection.</summary>
internal static class TriggerFakes
{
    public const string StaticKey = "static-email";

    /// <summary>A data source never opened: the parts that take one here do not use it in these tests.</summary>
    private static readonly NpgsqlDataSource Unused = NpgsqlDataSource.Create("Host=unused.invalid;Database=unused");

    public static readonly StaticWorkflowRegistry Registry = new(
        [new StaticWorkflow(StaticKey, "Static", null, ["EMAIL"], JsonDocument.Parse("""{"type":"object","required":["body"]}""").RootElement, null,
            new Dictionary<string, string> { ["EMAIL"] = "static-email-template" })],
        [new StaticTemplate("static-email-template", "Static", null, "EMAIL", "Hi", "{{ payload.body }}", null)]);

    public static TriggerChecks Checks() =>
        new(new WorkflowResolver(new XNovuDatabase(Unused), Registry), new PayloadSchemaValidator(new MemoryCache(new MemoryCacheOptions())));

    public static IdempotencyKeyStore IdempotencyKeys() =>
        new(new XNovuDatabase(Unused), Options.Create(new TriggerOptions()), Options.Create(new JsonOptions()));

    public static PreparedTrigger Trigger(
        string workflowKey = StaticKey, string? transactionId = null, string? categoryCode = null, string? priorityCode = null, string payload = """{"body":"hi"}""") =>
        new(workflowKey, """["subscriber-1"]""", JsonDocument.Parse(payload).RootElement, null, transactionId ?? Guid.NewGuid().ToString(),
            null, null, categoryCode, priorityCode);

    public static TriggerWorkflow Own(
        string key, string publishStatus = PublishStatuses.Publish, bool deactivated = false, string? schema = null, long? categoryId = null) =>
        new(Id: 7, key, schema, categoryId, publishStatus, deactivated, Version: 3, Stamp: "123/456");

    public static Lookup Lookup(TriggerWorkflow? own = null, Dictionary<string, long>? categories = null, Dictionary<string, long>? priorities = null) =>
        new(null,
            own is null ? [] : new Dictionary<string, TriggerWorkflow> { [own.WorkflowKey] = own },
            categories ?? [],
            priorities ?? []);
}

/// <summary>The writer's tests count the fallback metric, which the queue's tests also emit: they take turns.</summary>
[CollectionDefinition(Name)]
public sealed class TriggerCommitMetrics
{
    public const string Name = "Trigger commit metrics";
}
