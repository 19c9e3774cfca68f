namespace XNovu.Api.OpenApi;

internal static class OpenApiExtensions
{
    /// <summary>The v1 document: served at /openapi/v1.json, written at build time, and the source of XNovu.Client.</summary>
    public static IServiceCollection AddXNovuOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<DocumentInfo>();
            options.AddDocumentTransformer<ClientFriendlySchemas>();
            options.AddOperationTransformer<OperationDescriptions>();
            options.AddOperationTransformer<ProblemResponses>();
        });
}
