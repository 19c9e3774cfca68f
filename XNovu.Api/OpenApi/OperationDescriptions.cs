using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace XNovu.Api.OpenApi;

/// <summary>Gives each operation its summary and description from <see cref="OperationDocs"/>, and example bodies.</summary>
internal sealed class OperationDescriptions : IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, string> Examples = new(StringComparer.OrdinalIgnoreCase)
    {
        ["POST api/trigger"] = """
            {"workflowId":"default-email","to":{"subscriberId":"ann","email":"ann@example.com","firstName":"Ann"},
             "payload":{"subject":"Your order shipped","body":"Order 42 is on its way."},"tags":["orders"]}
            """,
        ["POST api/trigger/bulk"] = """
            {"events":[{"workflowId":"default-email","to":"ann","payload":{"subject":"Hi","body":"One"}},
                       {"workflowId":"default-in-app","to":["bob","carol"],"payload":{"subject":"Hi","body":"Two"}}]}
            """,
        ["POST api/templates"] = Template,
        ["PUT api/templates/{templateKey}"] = Template,
        ["POST api/templates/preview"] = """
            {"channelType":"EMAIL","subjectTemplate":"Hi {{ subscriber.firstName }}","bodyTemplate":"<p>Order {{ payload.orderId }} shipped.</p>",
             "payload":{"orderId":"42"},"subscriber":{"subscriberId":"ann","firstName":"Ann"}}
            """,
        ["POST api/workflows"] = Workflow,
        ["PUT api/workflows/{workflowKey}"] = Workflow,
        ["POST api/rules"] = Rule,
        ["PUT api/rules/{id}"] = Rule,
        ["POST api/events"] = """{"name":"user.signed-up","payload":{"name":"Ann"}}""",
    };

    private const string Template = """
        {"templateKey":"order-shipped-email","name":"Order shipped","description":"Sent when an order leaves the warehouse",
         "channelType":"EMAIL","subjectTemplate":"Order {{ payload.orderId }} shipped","bodyTemplate":"<p>Hello {{ subscriber.firstName }}, order {{ payload.orderId }} is on its way.</p>",
         "variablesDescription":{"orderId":"the order number"}}
        """;

    private const string Workflow = """
        {"workflowKey":"order-shipped","name":"Order shipped","description":"Tells the buyer their order left",
         "defaultChannels":["EMAIL","IN_APP"],"templateOverrides":{"EMAIL":"order-shipped-email"},
         "payloadSchema":{"type":"object","required":["orderId"],"properties":{"orderId":{"type":"string"}}}}
        """;

    private const string Rule = """
        {"name":"Weekly digest","description":"Every Monday at nine, Paris time","workflowKey":"order-shipped","triggerType":"CRON",
         "triggerConfig":{"cron":"0 9 * * MON","timezone":"Europe/Paris"},
         "rulePayload":{"recipients":["ann"],"payload":{"orderId":"digest"}}}
        """;

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var key = OperationDocs.Key(context.Description.HttpMethod ?? "GET", context.Description.RelativePath);
        if (OperationDocs.ByRoute.TryGetValue(key, out var docs))
        {
            operation.Summary = docs.Summary;
            operation.Description = docs.Description;
        }

        if (Examples.TryGetValue(key, out var example) && operation.RequestBody?.Content is { } content
            && content.TryGetValue("application/json", out var json))
        {
            json.Example = JsonNode.Parse(example);
        }

        return Task.CompletedTask;
    }
}
