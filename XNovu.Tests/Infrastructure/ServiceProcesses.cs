using System.Globalization;

namespace XNovu.Tests.Infrastructure;

/// <summary>A resource's processes, read from /proc: the tests signal the services themselves, as Kubernetes does.</summary>
internal static class ServiceProcesses
{
    /// <summary>
    /// The process <paramref name="pid"/> and its descendants whose command line names <paramref name="service"/>,
    /// without the <c>dotnet run</c> launchers: the services themselves.
    /// </summary>
    public static IEnumerable<int> Running(string service, int pid)
    {
        var children = Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var p) ? p : 0)
            .Where(p => p > 0)
            .Select(p => (Pid: p, Parent: ParentOf(p)))
            .ToList();
        var tree = new List<int> { pid };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(children.Where(c => c.Parent == tree[i]).Select(c => c.Pid));
        }

        return tree
            .Select(p => (Pid: p, CommandLine: CommandLine(p)))
            .Where(p => p.CommandLine.Contains(service, StringComparison.Ordinal) && !p.CommandLine.Contains(" run ", StringComparison.Ordinal))
            .Select(p => p.Pid);
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (name) state ppid ..."; the name may hold spaces, so read after its ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
