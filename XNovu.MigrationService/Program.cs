using XNovu.Core.Novu;
using XNovu.Core.Persistence;
using XNovu.MigrationService;

// The database owner: applies the migrations and exits. The API and the dispatcher wait for it to
// complete, so they never see a half-migrated schema, and only this process needs owner rights.
var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddOptions<MigrationOptions>()
    .BindConfiguration(MigrationOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MigrationOptions>>().Value);
builder.Services.AddSingleton<DatabaseMigrator>();
var connectionString = builder.Configuration.GetConnectionString("xnovu")
    ?? throw new InvalidOperationException("ConnectionStrings:xnovu is not configured.");
// The Data Protection key ring's first key, made here so that the API and the dispatchers start with the same
// ring: the dispatchers never create keys, they only decrypt what the API encrypted.
builder.Services.AddSingleton(_ => PostgresDataSources.Create(connectionString, null)); // over a primary and its standbys: the primary
builder.Services.AddXNovuDataProtection(createsKeys: true, provider => provider.GetRequiredService<Npgsql.NpgsqlDataSource>());

using var host = builder.Build();
await host.StartAsync();

var logger = host.Services.GetRequiredService<ILogger<Program>>();
string Password(string setting) => builder.Configuration[$"XNovu:Database:{setting}"]
    ?? throw new InvalidOperationException($"XNovu:Database:{setting} is not configured.");
var passwords = new Dictionary<string, string>
{
    [DatabaseMigrator.AppRole] = Password("AppPassword"),
    [DatabaseMigrator.ApiRole] = Password("ApiPassword"),
    [DatabaseMigrator.DispatcherRole] = Password("DispatcherPassword"),
    [DatabaseMigrator.ConsoleRole] = Password("ConsolePassword"),
};
try
{
    await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(connectionString, passwords, CancellationToken.None);
    NovuKeyRing.EnsureKey(host.Services);
    ConsoleKeyRing.EnsureKey(host.Services.GetRequiredService<Npgsql.NpgsqlDataSource>());
}
catch (Exception e) when (e is MigrationFailedException or Npgsql.NpgsqlException or ArgumentException)
{
    logger.LogCritical(e, "Migration failed");
    Environment.ExitCode = 1;
}

await host.StopAsync();
