using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace XNovu.Testing.ProductionRun;

public sealed record ProductionRunOptions
{
    /// <summary>The build configuration to publish (the test reuses its own build's).</summary>
    public string Configuration { get; init; } = "Release";

    /// <summary>Publishes the existing build output (<c>dotnet publish --no-build</c>) instead of building.</summary>
    public bool NoBuild { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The services reach PostgreSQL through PgBouncer in transaction mode (docs/operations.md, "Behind PgBouncer"):
    /// their server address is the pooler's, with <c>Max Auto Prepare=0</c> (PgBouncer 1.18 keeps no prepared
    /// statement across transactions), and the dispatcher's LISTEN names the server itself
    /// (<c>ConnectionStrings__xnovu-dispatcher-listen</c>). The migrator, the database owner, connects directly.
    /// </summary>
    public bool ThroughPgBouncer { get; init; }

    /// <summary>Variables every API and dispatcher gets on top of the Kubernetes base's (a benchmark's Novu rate, say).</summary>
    public IReadOnlyDictionary<string, string> ServiceEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Run once every check is done and before the processes stop: a benchmark's load on the running services.</summary>
    public Func<ProductionRunContext, CancellationToken, Task>? Load { get; init; }
}

/// <summary>What a <see cref="ProductionRunOptions.Load"/> gets: the APIs, the admin key and the database as its owner.</summary>
public sealed record ProductionRunContext(IReadOnlyList<string> Apis, string AdminKey, string Owner, string Directory);

/// <summary>What the run observed; <see cref="ProductionShapedRun"/> throws before returning when a step fails outright.</summary>
public sealed record ProductionRunResult(
    string Directory,
    TimeSpan Publish,
    TimeSpan Migrate,
    TimeSpan Start,
    TimeSpan Delivery,
    string TriggerStatus,
    IReadOnlyDictionary<string, (HttpStatusCode Health, HttpStatusCode Alive)> Probes,
    HttpStatusCode AdminKey,
    HttpStatusCode DevelopmentAdminKey,
    HttpStatusCode EmulatorInspection,
    HttpStatusCode ConsoleSignIn);

/// <summary>
/// XNovu run as a deployment runs it, with no AppHost, DCP or dashboard (docs/deployment.md, "production-shaped
/// run"): each service published with <c>dotnet publish</c> and started as a plain process with only the variables
/// the Kubernetes base sets, in the Production environment, against PostgreSQL and Redis started apart from them and
/// the Novu emulator as an outside Novu at a URL. Migrations first, then two APIs, two dispatchers and the console.
/// </summary>
public static class ProductionShapedRun
{
    private const string DevelopmentAdminKey = "xnovu-dev-admin-key"; // XNovu.AppHost/appsettings.Development.json

    public static async Task<ProductionRunResult> RunAsync(ProductionRunOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var token = timeout.Token;
        var directory = Path.Combine(Path.GetTempPath(), $"xnovu-production-run-{Guid.NewGuid():N}"[..32]);
        Directory.CreateDirectory(directory);
        log($"Production-shaped run in {directory} (logs: {directory}/*.log)");
        var processes = new List<RunProcess>();
        try
        {
            var clock = Stopwatch.StartNew();
            await PublishedServices.PublishAsync(PublishedServices.All, options.Configuration, options.NoBuild, directory, token);
            var publish = clock.Elapsed;
            log($"published {PublishedServices.All.Count} projects in {publish.TotalSeconds:0.0} s");

            var (pgPort, pgPassword, redisPort, redisPassword) = (LocalServers.FreePort(), LocalServers.NewPassword(), LocalServers.FreePort(), LocalServers.NewPassword());
            processes.Add(await LocalServers.StartPostgresAsync(Path.Combine(directory, "postgres"), pgPort, pgPassword, token));
            processes.Add(await LocalServers.StartRedisAsync(directory, redisPort, redisPassword, token));

            var novuKey = LocalServers.NewPassword();
            var novuUrl = PublishedServices.Url(LocalServers.FreePort());
            processes.Add(PublishedServices.Start(directory, "novu", novuUrl, new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["NovuEmulator__SecretKey"] = novuKey,
                ["NovuEmulator__DevelopmentEndpoints"] = "false",
            }));

            // The operator's Secret and this machine's addresses in place of the ConfigMap's examples.
            var adminKey = LocalServers.NewPassword();
            var secret = new Dictionary<string, string>
            {
                ["ConnectionStrings__xnovu"] = $"Host=127.0.0.1;Port={pgPort};Username=postgres;Password={pgPassword};Database=xnovu",
                ["ConnectionStrings__redis"] = $"127.0.0.1:{redisPort},password={redisPassword}",
                ["XNovu__Database__AppPassword"] = LocalServers.NewPassword(),
                ["XNovu__Database__ApiPassword"] = LocalServers.NewPassword(),
                ["XNovu__Database__DispatcherPassword"] = LocalServers.NewPassword(),
                ["XNovu__Database__ConsolePassword"] = LocalServers.NewPassword(),
                ["XNovu__AdminKey"] = adminKey,
                ["XNovu__Novu__SecretKey"] = novuKey,
            };
            var kubernetes = KubernetesEnvironment.RenderBase();
            kubernetes.OverrideConfig("XNOVU_DB_SERVER", $"Host=127.0.0.1;Port={pgPort}");
            kubernetes.OverrideConfig("XNovu__Novu__ApiUrl", novuUrl);
            var listen = new Dictionary<string, string>();
            if (options.ThroughPgBouncer)
            {
                var bouncerPort = LocalServers.FreePort();
                processes.Add(await LocalServers.StartPgBouncerAsync(Path.Combine(directory, "pgbouncer"), bouncerPort, pgPort, new Dictionary<string, string>
                {
                    ["xnovu_api"] = secret["XNovu__Database__ApiPassword"],
                    ["xnovu_dispatcher"] = secret["XNovu__Database__DispatcherPassword"],
                    ["xnovu_console"] = secret["XNovu__Database__ConsolePassword"],
                }, token));
                kubernetes.OverrideConfig("XNOVU_DB_SERVER", $"Host=127.0.0.1;Port={bouncerPort};Max Auto Prepare=0");
                listen["ConnectionStrings__xnovu-dispatcher-listen"] =
                    $"Host=127.0.0.1;Port={pgPort};Username=xnovu_dispatcher;Password={secret["XNovu__Database__DispatcherPassword"]};Database=xnovu";
                log($"the services go through PgBouncer (transaction mode) on {bouncerPort}; the dispatchers LISTEN on the server directly");
            }

            clock.Restart();
            await using (var migrations = PublishedServices.Start(directory, "migrations", null, kubernetes.For("Job/xnovu-migrations", secret)))
            {
                var exit = await migrations.WaitForExitAsync(token);
                if (exit != 0)
                {
                    throw new InvalidOperationException($"the migrations exited with {exit} (see {directory}/migrations.log)");
                }
            }

            var migrate = clock.Elapsed;
            log($"migrations completed in {migrate.TotalSeconds:0.0} s");

            clock.Restart();
            var apis = new[] { PublishedServices.Url(LocalServers.FreePort()), PublishedServices.Url(LocalServers.FreePort()) };
            var services = new Dictionary<string, string>();
            for (var i = 0; i < 2; i++)
            {
                var apiEnvironment = kubernetes.For("Deployment/xnovu-api", secret);
                foreach (var (key, value) in options.ServiceEnvironment)
                {
                    apiEnvironment[key] = value;
                }

                processes.Add(PublishedServices.Start(directory, $"api-{i}", apis[i], apiEnvironment));
                services[$"api-{i}"] = apis[i];
                var dispatcher = PublishedServices.Url(LocalServers.FreePort());
                var dispatcherEnvironment = kubernetes.For("Deployment/xnovu-dispatcher", secret);
                foreach (var (key, value) in listen.Concat(options.ServiceEnvironment))
                {
                    dispatcherEnvironment[key] = value;
                }

                processes.Add(PublishedServices.Start(directory, $"dispatcher-{i}", dispatcher, dispatcherEnvironment));
                services[$"dispatcher-{i}"] = dispatcher;
            }

            var console = PublishedServices.Url(LocalServers.FreePort());
            var consoleEnvironment = kubernetes.For("Deployment/xnovu-console", secret);
            PublishedServices.Replace(consoleEnvironment, "services__api__http__0", apis[0]); // the Service's DNS name, here a port
            processes.Add(PublishedServices.Start(directory, "console", console, consoleEnvironment));
            services["console"] = console;

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            await RunHttp.WaitReadyAsync(http, services.Append(new("novu", novuUrl)), processes, directory, token);
            var start = clock.Elapsed;
            log($"2 APIs, 2 dispatchers and the console ready in {start.TotalSeconds:0.0} s");

            var probes = new Dictionary<string, (HttpStatusCode, HttpStatusCode)>();
            foreach (var (name, url) in services)
            {
                probes[name] = (await RunHttp.StatusAsync(http, HttpMethod.Get, $"{url}/health", null, null, token), await RunHttp.StatusAsync(http, HttpMethod.Get, $"{url}/alive", null, null, token));
            }

            var developmentKey = await RunHttp.StatusAsync(http, HttpMethod.Post, $"{apis[0]}/api/admin/enterprises", DevelopmentAdminKey, new JsonObject { ["name"] = "Development key" }, token);
            var inspection = await RunHttp.StatusAsync(http, HttpMethod.Get, $"{novuUrl}/emulator/events", null, null, token);
            var signIn = await RunHttp.StatusAsync(http, HttpMethod.Get, $"{console}/signin", null, null, token);

            clock.Restart();
            var (adminStatus, status) = await TriggerOneAsync(http, apis, adminKey, token);
            var delivery = clock.Elapsed;
            log($"trigger on api-0 read on api-1: {status} after {delivery.TotalSeconds:0.0} s");
            if (options.Load is { } load)
            {
                await load(new ProductionRunContext(apis, adminKey, $"Host=127.0.0.1;Port={pgPort};Username=postgres;Password={pgPassword};Database=xnovu", directory), token);
            }

            return new ProductionRunResult(directory, publish, migrate, start, delivery, status, probes, adminStatus, developmentKey, inspection, signIn);
        }
        finally
        {
            foreach (var process in Enumerable.Reverse(processes))
            {
                await process.DisposeAsync();
            }
        }
    }

    /// <summary>An enterprise and its key through the admin API, a trigger on the first API, its status read on the second until final.</summary>
    private static async Task<(HttpStatusCode Admin, string Status)> TriggerOneAsync(HttpClient http, string[] apis, string adminKey, CancellationToken token)
    {
        using var create = await RunHttp.SendAsync(http, HttpMethod.Post, $"{apis[0]}/api/admin/enterprises", adminKey, new JsonObject { ["name"] = "Production run" }, token);
        if (!create.IsSuccessStatusCode)
        {
            return (create.StatusCode, "not triggered");
        }

        var enterprise = (await create.Content.ReadFromJsonAsync<JsonObject>(token))!["id"]!.GetValue<Guid>();
        using var keyAnswer = await RunHttp.SendAsync(http, HttpMethod.Post, $"{apis[0]}/api/admin/enterprises/{enterprise}/api-keys", adminKey, new JsonObject { ["name"] = "production-run" }, token);
        keyAnswer.EnsureSuccessStatusCode();
        var key = (string)(await keyAnswer.Content.ReadFromJsonAsync<JsonObject>(token))!["key"]!;

        var trigger = new JsonObject
        {
            ["workflowId"] = "default-email",
            ["to"] = $"sub-{Guid.NewGuid():N}",
            ["payload"] = new JsonObject { ["subject"] = "Production run", ["body"] = "Delivered by published binaries." },
        };
        using var accepted = await RunHttp.SendAsync(http, HttpMethod.Post, $"{apis[0]}/api/trigger", key, trigger, token);
        if (accepted.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/trigger answered {(int)accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync(token)}");
        }

        var id = (long)(await accepted.Content.ReadFromJsonAsync<JsonObject>(token))!["notificationId"]!;
        while (true)
        {
            using var read = await RunHttp.SendAsync(http, HttpMethod.Get, $"{apis[1]}/api/notifications/{id}", key, null, token);
            read.EnsureSuccessStatusCode();
            var status = (string)(await read.Content.ReadFromJsonAsync<JsonObject>(token))!["status"]!;
            if (status is "SENT" or "FAILED")
            {
                return (create.StatusCode, status);
            }

            await Task.Delay(200, token);
        }
    }
}
