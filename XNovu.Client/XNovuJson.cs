using System.Text.Json;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Serialization.Json;

namespace XNovu.Client;

/// <summary>
/// Free JSON values (a trigger's <c>payload</c> and <c>to</c>, a workflow's schemas) are Kiota
/// <see cref="UntypedNode"/>s; these turn ordinary .NET values into them and back.
/// </summary>
public static class XNovuJson
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Any value System.Text.Json can write (an anonymous object, a dictionary, a record, a string...).</summary>
    public static UntypedNode From(object? value)
    {
        var element = JsonSerializer.SerializeToElement(value, Web);
        return new JsonParseNode(element).GetObjectValue(UntypedNode.CreateFromDiscriminatorValue)!;
    }

    /// <summary>The node as JSON text.</summary>
    public static Task<string> ToJsonAsync(UntypedNode? node, CancellationToken cancellationToken = default) =>
        node is null ? Task.FromResult("null") : KiotaJsonSerializer.SerializeAsStringAsync(node, serializeOnlyChangedValues: false, cancellationToken);
}
