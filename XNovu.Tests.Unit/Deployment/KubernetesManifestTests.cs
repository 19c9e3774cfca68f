using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using k8s.Models;

namespace XNovu.Tests.Unit.Deployment;

/// <summary>
/// deploy/kubernetes, rendered as an operator would apply it, against the rules of issue 27 and against the app model
/// (aspire-manifest.json, which a test in XNovu.Tests keeps equal to the AppHost's): a setting added to a service in
/// the AppHost and not to the YAML fails here.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => new() { "production", "development" };

    /// <summary>The app model's resources and the workloads that run them.</summary>
    private static readonly Dictionary<string, string> Workloads = new()
    {
        ["migrations"] = "Job/xnovu-migrations",
        ["api"] = "Deployment/xnovu-api",
        ["dispatcher"] = "Deployment/xnovu-dispatcher",
        ["console"] = "Deployment/xnovu-console",
    };

    /// <summary>
    /// Variables of the app model that the cluster deliberately does without, each with its reason. Aspire writes a
    /// connection string twice (<c>ConnectionStrings__xnovu-api</c> and <c>…xnovu_api</c>); either name counts.
    /// </summary>
    private static readonly Dictionary<string, string> NotNeededInTheCluster = new()
    {
        ["API_HTTPS"] = "TLS ends at the ingress: in the cluster the console calls the API over http",
        ["services__api__https__0"] = "TLS ends at the ingress: in the cluster the console calls the API over http",
    };

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_renders_and_loads_strictly_into_the_typed_models(string overlay)
    {
        var rendered = RenderedKubernetes.Overlay(overlay);

        Assert.NotEmpty(rendered.All<V1Deployment>());
        Assert.Single(rendered.All<V1Job>());
    }

    [Fact]
    public void Strict_loading_refuses_a_field_the_model_does_not_have()
    {
        var yaml = RenderedKubernetes.Render(Path.Combine(RenderedKubernetes.Root, "base"))
            .Replace("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", StringComparison.Ordinal);

        Assert.ThrowsAny<Exception>(() => RenderedKubernetes.Load(yaml));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_long_running_container_has_startup_readiness_and_liveness_probes(string overlay)
    {
        var rendered = RenderedKubernetes.Overlay(overlay);
        foreach (var (owner, pod) in rendered.PodSpecs().Where(p => !p.Owner.StartsWith("Job/", StringComparison.Ordinal)))
        {
            foreach (var container in pod.Containers)
            {
                Assert.True(container.StartupProbe is not null, $"{owner}/{container.Name} has no startup probe");
                Assert.True(container.ReadinessProbe is not null, $"{owner}/{container.Name} has no readiness probe");
                Assert.True(container.LivenessProbe is not null, $"{owner}/{container.Name} has no liveness probe");
            }
        }

        // Ours probe the real endpoints: ready while the dependencies answer, alive while the process does.
        foreach (var name in new[] { "xnovu-api", "xnovu-dispatcher", "xnovu-console" })
        {
            var container = rendered.One<V1Deployment>(name).Spec.Template.Spec.Containers.Single();
            Assert.Equal("/health", container.ReadinessProbe.HttpGet.Path);
            Assert.Equal("/alive", container.LivenessProbe.HttpGet.Path);
            Assert.Equal("/alive", container.StartupProbe.HttpGet.Path);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_container_has_requests_limits_and_a_non_root_read_only_context_without_added_capabilities(string overlay)
    {
        foreach (var (owner, pod) in RenderedKubernetes.Overlay(overlay).PodSpecs())
        {
            foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
            {
                var where = $"{owner}/{container.Name}";
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    Assert.True(container.Resources?.Requests?.ContainsKey(resource) == true, $"{where} requests no {resource}");
                    Assert.True(container.Resources?.Limits?.ContainsKey(resource) == true, $"{where} has no {resource} limit");
                }

                var context = container.SecurityContext;
                Assert.True((context?.RunAsNonRoot ?? pod.SecurityContext?.RunAsNonRoot) == true, $"{where} may run as root");
                Assert.NotEqual(0, context?.RunAsUser ?? pod.SecurityContext?.RunAsUser ?? 0);
                Assert.True(context?.ReadOnlyRootFilesystem == true, $"{where} has a writable root file system");
                Assert.True(context?.AllowPrivilegeEscalation == false, $"{where} allows privilege escalation");
                Assert.Contains("ALL", context?.Capabilities?.Drop ?? []);
                Assert.True(context?.Capabilities?.Add is null or { Count: 0 }, $"{where} adds capabilities");
                Assert.False(pod.AutomountServiceAccountToken ?? true, $"{owner} mounts a service account token it never uses");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_environment_variable_the_app_model_gives_a_service_is_set(string overlay)
    {
        var rendered = RenderedKubernetes.Overlay(overlay);
        var resources = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "aspire-manifest.json")))!["resources"]!.AsObject();
        var projects = resources.Where(r => (string)r.Value!["type"]! == "project.v0").Select(r => r.Key).ToList();

        Assert.Equal(Workloads.Keys.Order(), projects.Order());
        foreach (var project in projects)
        {
            var container = ContainerOf(rendered, Workloads[project]);
            var set = (container.Env ?? []).Select(e => e.Name.Replace('-', '_')).ToHashSet();
            foreach (var (name, _) in resources[project]!["env"]!.AsObject())
            {
                if (NotNeededInTheCluster.ContainsKey(name))
                {
                    continue;
                }

                Assert.True(
                    set.Contains(name.Replace('-', '_')),
                    $"{Workloads[project]} does not set {name}, which the app model gives {project}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void No_secret_value_is_written_in_any_file(string overlay)
    {
        var rendered = RenderedKubernetes.Overlay(overlay);

        Assert.Empty(rendered.All<V1Secret>());
        foreach (var (owner, pod) in rendered.PodSpecs())
        {
            foreach (var variable in pod.Containers.SelectMany(c => c.Env ?? []).Where(e => e.Value is not null))
            {
                // A password in a literal value must be a reference to another variable, itself from the Secret.
                Assert.False(LiteralPassword().IsMatch(variable.Value), $"{owner} writes a password in {variable.Name}");
                Assert.DoesNotMatch("(?i)(secret|key|password)$", variable.Name);
            }
        }
    }

    [Fact]
    public void Each_image_is_its_projects_container_image_by_the_pinned_release_tag()
    {
        var props = XDocument.Load(Path.Combine(RepositoryPaths.Root, "deploy", "containers", "Container.props"));
        var version = props.Descendants("XNovuImageVersion").Single().Value;
        var expected = new[] { "XNovu.Api", "XNovu.Dispatcher", "XNovu.Console", "XNovu.MigrationService" }
            .Select(project => XDocument.Load(Path.Combine(RepositoryPaths.Root, project, $"{project}.csproj"))
                .Descendants("ContainerRepository").Single().Value + ":" + version)
            .Order();

        var images = RenderedKubernetes.Base().PodSpecs().SelectMany(p => p.Pod.Containers).Select(c => c.Image).Order();

        Assert.Equal(expected, images);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_image_is_pinned_by_tag_never_latest(string overlay)
    {
        foreach (var image in RenderedKubernetes.Overlay(overlay).PodSpecs().SelectMany(p => p.Pod.Containers).Select(c => c.Image))
        {
            var tag = image[(image.LastIndexOf('/') + 1)..].Split(':').ElementAtOrDefault(1);
            Assert.False(string.IsNullOrEmpty(tag) || tag == "latest", $"{image} is not pinned by tag");
        }
    }

    [Fact]
    public void Production_runs_three_autoscaled_apis_two_dispatchers_under_a_disruption_budget_and_two_consoles()
    {
        var rendered = RenderedKubernetes.Overlay("production");

        Assert.Equal(3, rendered.One<V1Deployment>("xnovu-api").Spec.Replicas);
        var autoscaler = rendered.One<V2HorizontalPodAutoscaler>("xnovu-api");
        Assert.Equal("xnovu-api", autoscaler.Spec.ScaleTargetRef.Name);
        Assert.Equal(3, autoscaler.Spec.MinReplicas);
        Assert.Equal("cpu", autoscaler.Spec.Metrics.Single().Resource.Name);
        Assert.Equal(2, rendered.One<V1Deployment>("xnovu-dispatcher").Spec.Replicas);
        Assert.Equal("xnovu-dispatcher", rendered.One<V1PodDisruptionBudget>("xnovu-dispatcher").Spec.Selector.MatchLabels["app.kubernetes.io/name"]);
        Assert.Equal(2, rendered.One<V1Deployment>("xnovu-console").Spec.Replicas);
        Assert.DoesNotContain(rendered.All<V1StatefulSet>(), _ => true); // the database is managed, outside
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Only_the_api_and_the_console_are_reachable_and_only_the_services_reach_the_database(string overlay)
    {
        var rendered = RenderedKubernetes.Overlay(overlay);
        var policies = rendered.All<V1NetworkPolicy>().ToList();

        var deny = Assert.Single(policies, p => p.Spec.PodSelector.MatchLabels is null && p.Spec.PodSelector.MatchExpressions is null);
        Assert.Equal(["Ingress", "Egress"], deny.Spec.PolicyTypes);
        Assert.Null(deny.Spec.Ingress);
        var reachableFromOutside = policies
            .Where(p => p.Spec.Ingress?.Any(rule => rule.FromProperty.Any(peer => peer.NamespaceSelector is not null)) == true)
            .Select(p => p.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"])
            .Order();
        Assert.Equal(["xnovu-api", "xnovu-console"], reachableFromOutside);
        Assert.Equal(
            ["xnovu-api", "xnovu-console"],
            rendered.One<V1Ingress>("xnovu").Spec.Rules.Select(r => r.Http.Paths.Single().Backend.Service.Name).Order());

        // PostgreSQL's port is open to the services, the migrations and the console (its key ring only); Redis's
        // never to the console.
        var databaseEgress = policies
            .Where(p => p.Spec.Egress?.Any(rule => rule.Ports?.Any(port => port.Port.Value == "5432") == true) == true)
            .SelectMany(p => p.Spec.PodSelector.MatchExpressions?.SelectMany(e => e.Values) ?? [p.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"]])
            .Order();
        // The console for its session key ring only, as xnovu_console (The_consoles_login_reaches_its_key_ring_and_nothing_else).
        Assert.Equal(["xnovu-api", "xnovu-console", "xnovu-dispatcher", "xnovu-migrations"], databaseEgress);
        var redisEgress = policies
            .Where(p => p.Spec.Egress?.Any(rule => rule.Ports?.Any(port => port.Port.Value == "6379") == true) == true)
            .SelectMany(p => p.Spec.PodSelector.MatchExpressions?.SelectMany(e => e.Values) ?? [p.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"]]);
        Assert.DoesNotContain("xnovu-console", redisEgress);
    }

    private static V1Container ContainerOf(RenderedKubernetes rendered, string workload)
    {
        var pod = rendered.PodSpecs().SingleOrDefault(p => p.Owner == workload).Pod
            ?? throw new Xunit.Sdk.XunitException($"no {workload} in the rendered YAML");
        return Assert.Single(pod.Containers);
    }

    [GeneratedRegex("Password=(?!\\$\\()", RegexOptions.IgnoreCase)]
    private static partial Regex LiteralPassword();
}
