using System.Diagnostics;
using System.Reflection;
using k8s;
using k8s.Models;

namespace XNovu.Tests.Unit.Deployment;

/// <summary>
/// An overlay of deploy/kubernetes rendered offline by <c>kubectl kustomize</c> (no cluster needed) and loaded strictly
/// into KubernetesClient's typed models: a misspelt or misplaced field throws instead of being dropped, as a
/// cluster's server-side validation would refuse it.
/// </summary>
internal sealed class RenderedKubernetes
{
    public static readonly string Root = Path.Combine(RepositoryPaths.Root, "deploy", "kubernetes");

    /// <summary>Every kind KubernetesClient models, keyed as its YAML loader looks them up: "apps/v1/Deployment", "v1/Service".</summary>
    private static readonly Dictionary<string, Type> TypeMap = typeof(V1Deployment).Assembly.GetTypes()
        .Select(type => (type, entity: type.GetCustomAttribute<KubernetesEntityAttribute>()))
        .Where(t => t.entity is not null && !t.type.Name.EndsWith("List", StringComparison.Ordinal))
        .GroupBy(t => string.IsNullOrEmpty(t.entity!.Group) ? $"{t.entity.ApiVersion}/{t.entity.Kind}" : $"{t.entity.Group}/{t.entity.ApiVersion}/{t.entity.Kind}")
        .ToDictionary(g => g.Key, g => g.First().type);

    private RenderedKubernetes(IReadOnlyList<object> objects) => Objects = objects;

    public IReadOnlyList<object> Objects { get; }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T One<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        Objects.OfType<T>().SingleOrDefault(o => o.Metadata.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"no {typeof(T).Name} named {name} in the rendered YAML");

    /// <summary>Every pod template with the kind and name of what owns it.</summary>
    public IEnumerable<(string Owner, V1PodSpec Pod)> PodSpecs() =>
        All<V1Deployment>().Select(d => ($"Deployment/{d.Metadata.Name}", d.Spec.Template.Spec))
            .Concat(All<V1StatefulSet>().Select(s => ($"StatefulSet/{s.Metadata.Name}", s.Spec.Template.Spec)))
            .Concat(All<V1Job>().Select(j => ($"Job/{j.Metadata.Name}", j.Spec.Template.Spec)));

    public static RenderedKubernetes Overlay(string overlay) => Load(Render(Path.Combine(Root, "overlays", overlay)));

    public static RenderedKubernetes Base() => Load(Render(Path.Combine(Root, "base")));

    public static RenderedKubernetes Load(string yaml) => new(KubernetesYaml.LoadAllFromString(yaml, TypeMap, strict: true));

    public static string Render(string directory)
    {
        var startInfo = new ProcessStartInfo("kubectl", ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(startInfo)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("kubectl is not installed (Debian: apt-get install kubectl; .ci/run installs it).");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
            {
                process.Kill();
                throw new TimeoutException($"kubectl kustomize {directory} took over a minute");
            }

            Assert.True(process.ExitCode == 0, $"kubectl kustomize {directory} failed: {errors}");
            return output.Result;
        }
    }
}
