using XNovu.Testing.ProductionRun;

namespace XNovu.Benchmarks;

/// <summary>
/// The production-shaped run as one command: publishes every service in Release, starts them as plain processes
/// with only the Kubernetes base's environment, delivers a trigger and checks the probes and the development-only
/// surfaces. Exit code 0 when every check holds.
/// </summary>
internal static class ProductionRunCommand
{
    /// <param name="args">After <c>production-run</c>: <c>-c Debug</c> to publish another configuration, <c>--no-build</c> to publish its existing build.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        var result = await ProductionShapedRun.RunAsync(new ProductionRunOptions
        {
            Configuration = args.SkipWhile(a => a != "-c").Skip(1).FirstOrDefault() ?? "Release",
            NoBuild = args.Contains("--no-build"),
        }, Console.WriteLine, stop.Token);
        (string Check, bool Held)[] checks =
        [
            ($"the trigger ended {result.TriggerStatus}", result.TriggerStatus == "SENT"),
            ($"the admin key created an enterprise ({(int)result.AdminKey})", (int)result.AdminKey == 201),
            .. result.Probes.Select(p => ($"{p.Key}: /health {(int)p.Value.Health}, /alive {(int)p.Value.Alive}", (int)p.Value.Health == 200 && (int)p.Value.Alive == 200)),
            ($"the development admin key is refused ({(int)result.DevelopmentAdminKey})", (int)result.DevelopmentAdminKey == 401),
            ($"the emulator's inspection pages are off ({(int)result.EmulatorInspection})", (int)result.EmulatorInspection == 404),
            ($"the console serves its sign-in page ({(int)result.ConsoleSignIn})", (int)result.ConsoleSignIn == 200),
        ];
        foreach (var (check, held) in checks)
        {
            Console.WriteLine($"{(held ? "ok  " : "FAIL")} {check}");
        }

        Console.WriteLine($"publish {result.Publish.TotalSeconds:0.0} s, migrate {result.Migrate.TotalSeconds:0.0} s, start {result.Start.TotalSeconds:0.0} s, deliver {result.Delivery.TotalSeconds:0.0} s");
        return checks.All(c => c.Held) ? 0 : 1;
    }
}
