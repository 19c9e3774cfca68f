namespace XNovu.Testing;

public static class RepositoryPaths
{
    /// <summary>The folder holding XNovu.sln, found from the test assembly's folder.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, as the test assembly was built.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "XNovu.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("XNovu.sln not found above the test assembly.");
    }
}
