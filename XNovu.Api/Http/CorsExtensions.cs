namespace XNovu.Api.Http;

public static class CorsExtensions
{
    /// <summary>
    /// Browsers may call the API only from the origins in <c>XNovu:Cors:AllowedOrigins</c> (the original's
    /// CORS setting). With the list empty, no cross-origin request is allowed.
    /// </summary>
    public static IHostApplicationBuilder AddXNovuCors(this IHostApplicationBuilder builder)
    {
        var origins = builder.Configuration.GetSection("XNovu:Cors:AllowedOrigins").Get<string[]>() ?? [];
        builder.Services.AddCors(options => options.AddDefaultPolicy(policy =>
        {
            if (origins.Length > 0)
            {
                policy.WithOrigins(origins)
                    .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete)
                    .WithHeaders("Authorization", "Content-Type", "Idempotency-Key")
                    .WithExposedHeaders("Retry-After", "Location");
            }
        }));
        return builder;
    }
}
