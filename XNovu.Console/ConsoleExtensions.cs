using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;
using XNovu.Core.Persistence;
using XNovu.Console.Api;
using XNovu.Console.Components;
using XNovu.Console.Session;

namespace XNovu.Console;

public static class ConsoleExtensions
{
    /// <summary>The API as service discovery names it; the AppHost's <c>WithReference(api)</c> resolves it.</summary>
    public const string ApiBaseAddress = "http://api";

    public static IHostApplicationBuilder AddConsoleServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCascadingAuthenticationState();

        // Data Protection encrypts and signs the session cookie that holds the user's key. Its key ring is in the
        // database, as the console's own login, so that restarts and every replica keep the sessions.
        var keyRing = builder.Configuration.GetConnectionString(ConsoleKeyRing.ConnectionStringName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ConsoleKeyRing.ConnectionStringName} is not configured: the console keeps its session keys in the database.");
        builder.Services.AddKeyedSingleton(ConsoleKeyRing.ConnectionStringName, (_, _) => NpgsqlDataSource.Create(keyRing));
        builder.Services.AddConsoleDataProtection(provider => provider.GetRequiredKeyedService<NpgsqlDataSource>(ConsoleKeyRing.ConnectionStringName));
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "xnovu-console";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = "/signin";
                options.AccessDeniedPath = "/denied";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleClaims.AdminPolicy, policy => policy.RequireClaim(ConsoleClaims.AdminKey))
            .AddPolicy(ConsoleClaims.EnterprisePolicy, policy => policy.RequireClaim(ConsoleClaims.EnterpriseKey));

        // The console acts only with the signed-in user's key, set on each request (ClientConsoleApi); the client's
        // own key is required by AddXNovuClient but never sent, since its handler fills only an empty header.
        builder.Services.AddXNovuClient(o =>
        {
            o.BaseAddress = new Uri(ApiBaseAddress);
            o.ApiKey = "console-sends-the-signed-in-users-key";
        });
        builder.Services.AddTransient<IConsoleApi, ClientConsoleApi>();
        builder.Services.AddHttpClient(ApiReachableCheck.ClientName, http => http.BaseAddress = new Uri(ApiBaseAddress));
        builder.Services.AddHealthChecks().AddCheck<ApiReachableCheck>("api");
        builder.Services.AddOptions<ConsoleOptions>()
            .Bind(builder.Configuration.GetSection(ConsoleOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ConsoleOptions>>().Value);
        builder.Services.AddScoped<CircuitConnection>();
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler>(sp => sp.GetRequiredService<CircuitConnection>());
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<CurrentUser>();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapPost("/signout", SignOutAsync);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>Revokes the key the console made for an admin's enterprise, then ends the session.</summary>
    private static async Task<IResult> SignOutAsync(HttpContext http, IAntiforgery antiforgery, IConsoleApi api, ILoggerFactory loggers)
    {
        await antiforgery.ValidateRequestAsync(http);
        await ConsoleSession.RevokeConsoleKeyAsync(http.User, api, loggers.CreateLogger("XNovu.Console.Session"), http.RequestAborted);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.Redirect("/signin");
    }
}
