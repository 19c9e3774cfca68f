using System.Diagnostics;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace XNovu.Testing.ProductionRun;

/// <summary>
/// The environment the Kubernetes base (deploy/kubernetes/base) gives each container, resolved as the kubelet would:
/// literal values with their <c>$(VAR)</c> references expanded, ConfigMap keys from the rendered ConfigMap, and Secret
/// keys from the values this run provides (the Secret is the operator's, never in a file).
/// </summary>
public sealed partial class KubernetesEnvironment
{
    private readonly IReadOnlyList<object> objects;
    private readonly Dictionary<string, string> configMap;

    private KubernetesEnvironment(IReadOnlyList<object> objects)
    {
        this.objects = objects;
        configMap = objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "xnovu-config").Data.ToDictionary();
    }

    public static KubernetesEnvironment RenderBase()
    {
        var directory = Path.Combine(RepositoryPaths.Root, "deploy", "kubernetes", "base");
        var startInfo = new ProcessStartInfo("kubectl", ["kustomize", directory]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException("kubectl could not start (Debian: apt-get install kubectl).");
        var yaml = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {directory} failed: {errors}");
        }

        return new KubernetesEnvironment(KubernetesYaml.LoadAllFromString(yaml.Result));
    }

    /// <summary>Replaces a ConfigMap value with this machine's (the database server's address, Novu's URL); only keys the base has.</summary>
    public void OverrideConfig(string key, string value)
    {
        if (!configMap.ContainsKey(key))
        {
            throw new InvalidOperationException($"the base's ConfigMap has no key {key}");
        }

        configMap[key] = value;
    }

    /// <summary>The environment of the single container of <paramref name="workload"/> ("Deployment/xnovu-api", "Job/xnovu-migrations").</summary>
    public Dictionary<string, string> For(string workload, IReadOnlyDictionary<string, string> secret)
    {
        var pod = workload.Split('/') switch
        {
            ["Deployment", var name] => objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == name).Spec.Template.Spec,
            ["Job", var name] => objects.OfType<V1Job>().Single(j => j.Metadata.Name == name).Spec.Template.Spec,
            _ => throw new ArgumentException($"unknown workload {workload}", nameof(workload)),
        };

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in pod.Containers.Single().Env ?? [])
        {
            environment[variable.Name] = variable switch
            {
                { Value: { } value } => Reference().Replace(value, m => environment.GetValueOrDefault(m.Groups[1].Value, m.Value)),
                { ValueFrom.ConfigMapKeyRef: { } config } => configMap[config.Key],
                { ValueFrom.SecretKeyRef: { } key } => secret.TryGetValue(key.Key, out var value)
                    ? value
                    : throw new InvalidOperationException($"{workload} reads the Secret's {key.Key}, which this run does not provide"),
                _ => throw new InvalidOperationException($"{workload}'s {variable.Name} has a source this run cannot resolve"),
            };
        }

        return environment;
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex Reference();
}
