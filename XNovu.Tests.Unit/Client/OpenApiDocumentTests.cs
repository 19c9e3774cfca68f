using System.Text.Json.Nodes;

namespace XNovu.Tests.Unit.Client;

/// <summary>The checked-in OpenAPI document: current, and complete enough to learn the API and generate a client from.</summary>
public sealed class OpenApiDocumentTests
{
    private static readonly string CheckedIn = Path.Combine(RepositoryPaths.Root, "XNovu.Api", "openapi", "v1.json");

    private static readonly string BuiltFromCode = Path.Combine(RepositoryPaths.Root, "XNovu.Api", "obj", "openapi", "v1.json");

    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    [Fact]
    public async Task Checked_in_document_equals_the_one_the_build_wrote_from_the_code()
    {
        Assert.True(File.Exists(BuiltFromCode), $"{BuiltFromCode} is missing: build XNovu.Api first.");
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(CheckedIn));
        var actual = JsonNode.Parse(await File.ReadAllTextAsync(BuiltFromCode));
        Assert.True(
            JsonNode.DeepEquals(expected, actual),
            "XNovu.Api/openapi/v1.json is stale: refresh it with `dotnet build XNovu.Api -p:UpdateOpenApiDocument=true`.");
    }

    [Fact]
    public async Task Every_operation_has_a_summary_a_description_and_problem_answers_with_their_type()
    {
        var document = await LoadAsync();
        var operations = Operations(document).ToList();
        Assert.True(operations.Count >= 60, $"only {operations.Count} operations");

        foreach (var (name, operation) in operations)
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), $"{name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["description"]), $"{name} has no description");
            var responses = operation["responses"]!.AsObject();
            Assert.Contains("503", responses.Select(r => r.Key));
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                var problem = response!["content"]?["application/problem+json"];
                Assert.True(problem is not null, $"{name} {status} is not a problem");
                Assert.Equal("#/components/schemas/Problem", (string?)problem["schema"]!["$ref"]);
                Assert.StartsWith("https://xnovu.dev/problems/", (string?)problem["example"]!["type"]);
            }
        }

        var declared = operations.SelectMany(o => o.Operation["responses"]!.AsObject().Select(r => r.Key)).ToHashSet();
        Assert.Subset(declared, new HashSet<string> { "400", "401", "403", "404", "409", "413", "422", "429", "503" });
        var trigger = document["paths"]!["/api/trigger"]!["post"]!["responses"]!.AsObject();
        Assert.NotNull(trigger["429"]!["headers"]!["Retry-After"]);
    }

    [Fact]
    public async Task Admin_routes_take_the_admin_key_and_the_others_an_enterprise_key()
    {
        var document = await LoadAsync();
        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("bearer", (string?)schemes["AdminKey"]!["scheme"]);
        Assert.Equal("bearer", (string?)schemes["EnterpriseKey"]!["scheme"]);

        foreach (var (name, operation) in Operations(document))
        {
            var path = name.Split(' ')[1];
            var scheme = operation["security"]?[0]?.AsObject().Single().Key;
            if (path.StartsWith("/api/admin", StringComparison.Ordinal) || path == "/api/metrics")
            {
                Assert.True(scheme == "AdminKey", $"{name}: {scheme}");
            }
            else if (path is "/api/health" or "/api/dev-studio-status")
            {
                Assert.True(scheme is null, $"{name} is open but declares {scheme}");
            }
            else
            {
                Assert.True(scheme == "EnterpriseKey", $"{name}: {scheme}");
            }
        }
    }

    [Theory]
    [InlineData("/api/trigger", "post", "workflowId")]
    [InlineData("/api/trigger/bulk", "post", "events")]
    [InlineData("/api/templates", "post", "bodyTemplate")]
    [InlineData("/api/workflows", "post", "workflowKey")]
    [InlineData("/api/rules", "post", "triggerConfig")]
    public async Task Bodies_have_examples(string path, string method, string field)
    {
        var document = await LoadAsync();
        var example = document["paths"]![path]![method]!["requestBody"]!["content"]!["application/json"]!["example"];
        Assert.NotNull(example?[field]);
    }

    [Fact]
    public async Task Info_block_walks_through_the_first_trigger_and_has_a_version()
    {
        var info = (await LoadAsync())["info"]!;
        Assert.Equal("XNovu API", (string?)info["title"]);
        Assert.Matches(@"^\d+\.\d+\.\d+$", (string?)info["version"]);
        var description = (string?)info["description"];
        Assert.Contains("POST /api/admin/enterprises", description);
        Assert.Contains("POST /api/trigger", description);
        Assert.Contains("Idempotency-Key", description);
    }

    private static async Task<JsonNode> LoadAsync() => JsonNode.Parse(await File.ReadAllTextAsync(CheckedIn))!;

    private static IEnumerable<(string Name, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(op => Methods.Contains(op.Key))
            .Select(op => ($"{op.Key.ToUpperInvariant()} {path.Key}", op.Value!)));
}
